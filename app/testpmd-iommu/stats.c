/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics, on the main lcore: a line per port every --stats-period, the
 * final summary, and the JSON one.
 *
 * Packets come from ethdev's basic stats; the IOMMU counters from the
 * PMD's xstats (names in drivers/net_iommu/net_iommu_ethdev.c):
 * iommu_hw_{hits,misses,invalidations,faults} belong to the port's IOMMU
 * instance, shared by every port on the same backend, and
 * {rx,tx}_qN_dma_fault_* are the port's own faulting DMAs. Every figure is
 * the difference from the snapshot taken when forwarding started.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "testpmd_iommu.h"

struct snap {
	uint64_t rx, tx;		/* packets */
	uint64_t fwd_drops;		/* tx_burst refused, ours */
	uint64_t hits, misses;		/* iommu_hw_*: the port's hw */
	uint64_t invalidations;
	uint64_t hw_faults;
	uint64_t dma_faults;		/* the port's own */
};

static struct {
	struct snap base[TPI_MAX_PORTS];	/* at start */
	struct snap last[TPI_MAX_PORTS];	/* at the last period */
	double last_s;
} st;

static void
xstats_read(uint16_t port_id, struct snap *s)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	int n, i;

	n = rte_eth_xstats_get_names(port_id, NULL, 0);
	if (n <= 0)
		return;
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names == NULL || xs == NULL ||
	    rte_eth_xstats_get_names(port_id, names, n) != n ||
	    rte_eth_xstats_get(port_id, xs, n) != n)
		goto out;
	for (i = 0; i < n; i++) {
		const char *name = names[xs[i].id].name;
		uint64_t v = xs[i].value;

		if (strcmp(name, "iommu_hw_hits") == 0)
			s->hits = v;
		else if (strcmp(name, "iommu_hw_misses") == 0)
			s->misses = v;
		else if (strcmp(name, "iommu_hw_invalidations") == 0)
			s->invalidations = v;
		else if (strcmp(name, "iommu_hw_faults") == 0)
			s->hw_faults = v;
		else if (strstr(name, "_dma_fault_") != NULL)
			s->dma_faults += v;
	}
out:
	free(names);
	free(xs);
}

static void
snap_read(unsigned int p, struct snap *s)
{
	struct rte_eth_stats es;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (rte_eth_stats_get(tpi.ports[p].port_id, &es) == 0) {
		s->rx = es.ipackets;
		s->tx = es.opackets;
	}
	xstats_read(tpi.ports[p].port_id, s);
	/* Drops belong to the TX port of a stream. */
	for (i = 0; tpi.streams != NULL && i < tpi.nb_streams; i++)
		if (tpi.streams[i].tx_port == tpi.ports[p].port_id)
			s->fwd_drops += __atomic_load_n(&tpi.streams[i].drops,
							__ATOMIC_RELAXED);
}

static struct snap
snap_diff(const struct snap *a, const struct snap *b)
{
	return (struct snap){
		.rx = a->rx - b->rx, .tx = a->tx - b->tx,
		.fwd_drops = a->fwd_drops - b->fwd_drops,
		.hits = a->hits - b->hits, .misses = a->misses - b->misses,
		.invalidations = a->invalidations - b->invalidations,
		.hw_faults = a->hw_faults - b->hw_faults,
		.dma_faults = a->dma_faults - b->dma_faults,
	};
}

static double
hit_rate(const struct snap *d)
{
	uint64_t lookups = d->hits + d->misses;

	return lookups == 0 ? -1.0 : (double)d->hits / (double)lookups;
}

void
tpi_stats_start(void)
{
	unsigned int p;

	for (p = 0; p < tpi.nb_ports; p++) {
		snap_read(p, &st.base[p]);
		st.last[p] = st.base[p];
	}
	st.last_s = 0;
}

static void
print_line(const char *when, unsigned int p, const struct snap *d,
	   double secs)
{
	double hr = hit_rate(d);
	char hit[16];

	if (!tpi.ports[p].has_iommu)
		snprintf(hit, sizeof(hit), "%8s", "-");
	else if (hr < 0)
		snprintf(hit, sizeof(hit), "%8s", "n/a");
	else
		snprintf(hit, sizeof(hit), "%7.3f%%", hr * 100.0);
	printf("%s port %u: rx %7.3f Mpps  tx %7.3f Mpps  iotlb hit %s  inval/s %9.0f  faults %" PRIu64 "\n",
	       when, tpi.ports[p].port_id, d->rx / secs / 1e6,
	       d->tx / secs / 1e6, hit, d->invalidations / secs,
	       d->dma_faults);
}

void
tpi_stats_period(double now_s)
{
	double secs = now_s - st.last_s;
	unsigned int p;
	char when[32];

	if (secs <= 0)
		return;
	snprintf(when, sizeof(when), "[%6.1fs]", now_s);
	for (p = 0; p < tpi.nb_ports; p++) {
		struct snap cur, d;

		snap_read(p, &cur);
		d = snap_diff(&cur, &st.last[p]);
		print_line(when, p, &d, secs);
		st.last[p] = cur;
	}
	if (tpi.cfg.churn_rate != 0)
		printf("%s churn: %" PRIu64 " ops\n", when, tpi_churn_ops());
	st.last_s = now_s;
	fflush(stdout);
}

void
tpi_stats_final(double duration_s)
{
	uint64_t rx = 0;
	unsigned int p;

	printf("---- %.2f s ----\n", duration_s);
	for (p = 0; p < tpi.nb_ports; p++) {
		struct snap cur, d;

		snap_read(p, &cur);
		d = snap_diff(&cur, &st.base[p]);
		print_line("total", p, &d, duration_s);
		printf("      port %u: %" PRIu64 " rx, %" PRIu64 " tx, %" PRIu64
		       " dropped by tx, %" PRIu64 " invalidations, %" PRIu64
		       " iommu faults\n", tpi.ports[p].port_id, d.rx, d.tx,
		       d.fwd_drops, d.invalidations, d.hw_faults);
		rx += d.rx;
	}
	printf("all ports: %.3f Mpps received", rx / duration_s / 1e6);
	if (tpi.cfg.churn_rate != 0)
		printf("; churn: %" PRIu64 " unmap+remap (%.0f/s)",
		       tpi_churn_ops(), tpi_churn_ops() / duration_s);
	printf("\n");
}

static void
json_num_or_null(FILE *f, const char *key, double v, bool valid)
{
	if (valid)
		fprintf(f, "\"%s\": %.6f", key, v);
	else
		fprintf(f, "\"%s\": null", key);
}

static void
json_config(FILE *f)
{
	const struct tpi_config *c = &tpi.cfg;

	fprintf(f, "  \"config\": {\"ports\": %u, \"eal_ports\": %s, "
		"\"iommu\": \"%s\", \"copy\": %u, \"pkt_len\": %u, "
		"\"fwd\": \"%s\", \"burst\": %u, \"rxq\": %u, "
		"\"mode\": \"%s\", \"churn_rate\": %u, "
		"\"churn_ext\": %s, \"tx_first\": %u, "
		"\"fwd_lcores\": %u, \"lcore_hold\": %s},\n", tpi.nb_ports,
		tpi.eal_ports ? "true" : "false",
		tpi.eal_ports ? "eal" : c->iommu, c->copy, c->pkt_len,
		c->fwd == TPI_FWD_MAC ? "mac" : "io", c->burst, c->nb_rxq,
		c->mode, c->churn_rate, c->churn_ext ? "true" : "false", c->tx_first,
		tpi.nb_lcores, c->lcore_hold ? "true" : "false");
}

int
tpi_stats_json(const char *path, double duration_s)
{
	struct uiommu_domain_inv_stats inv;
	FILE *f = fopen(path, "w");
	uint64_t rx = 0;
	unsigned int p;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n");
	json_config(f);
	fprintf(f, "  \"duration_s\": %.6f,\n  \"ports\": [\n", duration_s);
	for (p = 0; p < tpi.nb_ports; p++) {
		const struct tpi_port *tp = &tpi.ports[p];
		struct snap cur, d;
		double hr;

		snap_read(p, &cur);
		d = snap_diff(&cur, &st.base[p]);
		hr = hit_rate(&d);
		rx += d.rx;
		fprintf(f, "    {\"port\": %u, \"name\": \"%s\", "
			"\"iommu\": %s, \"rx_packets\": %" PRIu64
			", \"tx_packets\": %" PRIu64 ", \"fwd_drops\": %"
			PRIu64 ", \"rx_mpps\": %.6f, \"tx_mpps\": %.6f, "
			"\"iotlb_hits\": %" PRIu64 ", \"iotlb_misses\": %"
			PRIu64 ", ", tp->port_id, tp->name,
			tp->has_iommu ? "true" : "false", d.rx, d.tx,
			d.fwd_drops, d.rx / duration_s / 1e6,
			d.tx / duration_s / 1e6, d.hits, d.misses);
		json_num_or_null(f, "iotlb_hit_rate", hr,
				 tp->has_iommu && hr >= 0);
		fprintf(f, ", \"invalidations\": %" PRIu64
			", \"faults\": %" PRIu64 ", \"hw_faults\": %" PRIu64
			"}%s\n", d.invalidations, d.dma_faults, d.hw_faults,
			p + 1 < tpi.nb_ports ? "," : "");
	}
	fprintf(f, "  ],\n  \"rx_mpps\": %.6f,\n", rx / duration_s / 1e6);
	tpi_churn_inv_stats(&inv);
	fprintf(f, "  \"churn\": {\"rate\": %u, \"ext\": %s, \"ops\": %" PRIu64
		", \"ops_per_s\": %.3f, \"batch\": %u, \"unmaps_strict\": %"
		PRIu64 ", \"unmaps_deferred\": %" PRIu64 ", \"flushes\": %"
		PRIu64 "}\n}\n", tpi.cfg.churn_rate,
		tpi.cfg.churn_ext ? "true" : "false", tpi_churn_ops(),
		tpi_churn_ops() / duration_s, tpi.cfg.churn_batch,
		inv.unmaps, inv.deferred, inv.flushes);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding: streams, their lcores, the first bursts that set traffic
 * going (testpmd's tx_first), and the io / mac forwarding loop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <uiommu_net_iommu.h>

#include "testpmd_iommu.h"

/*
 * Stream (port p, queue q) receives on p and sends on its pair, queue q.
 * Streams go to worker lcores round-robin; workers left without a stream
 * are not launched.
 */
int
tpi_fwd_setup(void)
{
	unsigned int nb_workers = rte_lcore_count() - 1, lcore, w, i;
	unsigned int p, q;

	tpi.nb_streams = tpi.nb_ports * tpi.cfg.nb_rxq;
	tpi.streams = rte_zmalloc("tpi_streams",
				  sizeof(*tpi.streams) * tpi.nb_streams,
				  RTE_CACHE_LINE_SIZE);
	tpi.lcores = rte_zmalloc("tpi_lcores", sizeof(*tpi.lcores) *
				 nb_workers, 0);
	if (tpi.streams == NULL || tpi.lcores == NULL)
		return -ENOMEM;
	w = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		tpi.lcores[w++].lcore_id = lcore;
	for (p = 0; p < tpi.nb_ports; p++)
		for (q = 0; q < tpi.cfg.nb_rxq; q++) {
			const struct tpi_port *rx = &tpi.ports[p];
			const struct tpi_port *tx = &tpi.ports[rx->fwd_peer];
			struct tpi_stream *s =
				&tpi.streams[p * tpi.cfg.nb_rxq + q];
			struct tpi_lcore *lc;

			s->rx_port = rx->port_id;
			s->tx_port = tx->port_id;
			s->queue = (uint16_t)q;
			/* What tx sends arrives back at rx (created ports
			 * are peers): testpmd's macfwd with peer = rx. */
			s->src = tx->mac;
			s->dst = rx->mac;
			i = (p * tpi.cfg.nb_rxq + q) % nb_workers;
			lc = &tpi.lcores[i];
			lc->streams[lc->nb_streams++] = s;
		}
	tpi.nb_lcores = RTE_MIN(nb_workers, tpi.nb_streams);
	return 0;
}

void
tpi_fwd_teardown(void)
{
	rte_free(tpi.streams);
	rte_free(tpi.lcores);
	tpi.streams = NULL;
	tpi.lcores = NULL;
}

/* DPDK's RTE_IPV4() shifts an int into its sign bit (UBSan says so). */
static uint32_t
ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* A UDP/IPv4 frame of cfg.pkt_len bytes (FCS excluded), src -> dst. */
static int
gen_frame(struct rte_mbuf *m, const struct tpi_stream *s, unsigned int seq)
{
	uint16_t len = (uint16_t)tpi.cfg.pkt_len;
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	char *data = rte_pktmbuf_append(m, len);

	if (data == NULL)
		return -ENOSPC;
	memset(data, 0, len);
	eth = (struct rte_ether_hdr *)data;
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	udp = (struct rte_udp_hdr *)(ip + 1);
	eth->dst_addr = s->dst;
	eth->src_addr = s->src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* 198.18.0.0/15, the benchmarking range (RFC 2544) */
	ip->src_addr = rte_cpu_to_be_32(ipv4(198, 18, s->tx_port, 1));
	ip->dst_addr = rte_cpu_to_be_32(ipv4(198, 19, s->rx_port, 1));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + seq));
	udp->dst_port = rte_cpu_to_be_16((uint16_t)(1024 + s->queue));
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eth) - sizeof(*ip));
	return 0;
}

/* tx_first: cfg.tx_first bursts of generated frames on the stream's TX
 * queue, which this lcore owns. What TX does not take is freed. */
static void
tx_first(struct tpi_stream *s)
{
	struct rte_mbuf *pkts[TPI_MAX_BURST];
	unsigned int b, i, n = tpi.cfg.burst;
	uint16_t sent;

	for (b = 0; b < tpi.cfg.tx_first; b++) {
		if (rte_pktmbuf_alloc_bulk(tpi.pool, pkts, n) != 0)
			return;
		for (i = 0; i < n; i++)
			if (gen_frame(pkts[i], s, b * n + i) != 0) {
				rte_pktmbuf_free_bulk(pkts, n);
				return;
			}
		sent = rte_eth_tx_burst(s->tx_port, s->queue, pkts,
					(uint16_t)n);
		if (sent < n)
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

static inline void
mac_rewrite(const struct tpi_stream *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		eth->dst_addr = s->dst;
		eth->src_addr = s->src;
	}
}

static inline void
fwd_burst(struct tpi_stream *s, enum tpi_fwd_mode mode, uint16_t burst)
{
	struct rte_mbuf *pkts[TPI_MAX_BURST];
	uint16_t n, sent;

	n = rte_eth_rx_burst(s->rx_port, s->queue, pkts, burst);
	if (n == 0)
		return;
	if (mode == TPI_FWD_MAC)
		mac_rewrite(s, pkts, n);
	sent = rte_eth_tx_burst(s->tx_port, s->queue, pkts, n);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		__atomic_store_n(&s->drops, s->drops + (n - sent),
				 __ATOMIC_RELAXED);
	}
	/* Owner-only counters, read by the stats on the main lcore. */
	__atomic_store_n(&s->rx_pkts, s->rx_pkts + n, __ATOMIC_RELAXED);
	__atomic_store_n(&s->tx_pkts, s->tx_pkts + sent, __ATOMIC_RELAXED);
}

int
tpi_fwd_lcore(void *arg)
{
	const struct tpi_lcore *lc = arg;
	const enum tpi_fwd_mode mode = tpi.cfg.fwd;
	const uint16_t burst = (uint16_t)tpi.cfg.burst;
	unsigned int i;
	int rc;

	/* Polls until told to stop, and blocks on nothing meanwhile: the
	 * contract of a held lcore. */
	if (tpi.cfg.lcore_hold) {
		rc = uiommu_net_iommu_lcore_hold();
		if (rc != 0) {
			fprintf(stderr, "lcore %u: hold: %s\n", rte_lcore_id(),
				strerror(-rc));
			return rc;
		}
	}
	for (i = 0; i < lc->nb_streams; i++)
		tx_first(lc->streams[i]);
	while (!__atomic_load_n(&tpi.stop, __ATOMIC_RELAXED))
		for (i = 0; i < lc->nb_streams; i++)
			fwd_burst(lc->streams[i], mode, burst);
	/* Before the main lcore stops the ports: their unmaps would wait
	 * for this lcore's next burst. */
	return uiommu_net_iommu_lcore_release();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testpmd-iommu: options, ports, and the main lcore's life: set up,
 * forward until --duration or a signal, report, tear down.
 *
 *   testpmd-iommu [EAL options] -- [--ports N] [--iommu smmu|vtd|direct|off]
 *       [--copy 0|1] [--pkt-len N] [--fwd io|mac] [--burst N] [--rxq N]
 *       [--tx-first N] [--duration S] [--stats-period S] [--json FILE]
 *       [--churn-rate N] [--churn-ext] [--churn-batch N]
 *       [--mode strict|batch|lazy] [--no-hold]
 *
 * Design and threads: testpmd_iommu.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <uiommu_net_iommu.h>

#include "testpmd_iommu.h"

#define PMD_NAME	"net_iommu"
#define MBUF_CACHE	256

struct tpi tpi = {
	.cfg = {
		.nb_ports = 2,
		.iommu = "smmu",
		.copy = 1,
		.pkt_len = 64,
		.fwd = TPI_FWD_IO,
		.burst = 32,
		.nb_rxq = 1,
		.duration = 0,
		.stats_period = 1,
		.tx_first = 4,
		.mode = "strict",
		.churn_batch = 16,
		.lcore_hold = true,
	},
};

/* ------------------------------------------------------------ options -- */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- [options]\n"
		"  --ports N            net_iommu ports to create, even (2); ignored\n"
		"                       when EAL already has --vdev net_iommu ports\n"
		"  --iommu KIND         smmu|vtd|direct|off (smmu)\n"
		"  --copy 0|1           device model copies whole payloads (1)\n"
		"  --pkt-len N          frame length, 60..9000 (64)\n"
		"  --fwd io|mac         forwarding mode (io)\n"
		"  --burst N            packets per burst, 1..%u (32)\n"
		"  --rxq N              queues per port, 1..%u (1)\n"
		"  --tx-first N         bursts each stream sends first (4)\n"
		"  --duration S         run S seconds; 0: until SIGINT (0)\n"
		"  --stats-period S     a stats line every S seconds; 0: none (1)\n"
		"  --json FILE          write a summary as JSON at exit\n"
		"  --churn-rate N       control-plane unmap+remap per second (0)\n"
		"  --churn-ext          churn through rte_dev_dma_map/unmap\n"
		"  --churn-batch N      --mode batch: churn unmaps per flush,\n"
		"                       1..%u (16)\n"
		"  --mode MODE          strict|batch|lazy: devarg mode= of the\n"
		"                       ports, and how churn unmaps: strict waits\n"
		"                       each time, batch defers and flushes every\n"
		"                       --churn-batch, lazy leaves it to the domain\n"
		"                       (strict)\n"
		"  --no-hold            forwarding lcores go offline in the IOMMU\n"
		"                       between bursts, as under stock testpmd\n",
		prog, TPI_MAX_BURST, TPI_MAX_QUEUES, TPI_CHURN_BATCH_MAX);
}

static int
opt_uint(const char *name, const char *arg, unsigned long min,
	 unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    v < min || v > max) {
		fprintf(stderr, "--%s: bad value '%s' (%lu..%lu)\n", name, arg,
			min, max);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static int
opt_secs(const char *name, const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= 0) ||
	    v > 1e7) {
		fprintf(stderr, "--%s: bad value '%s' (seconds)\n", name, arg);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

enum {
	OPT_PORTS = 256, OPT_IOMMU, OPT_COPY, OPT_PKT_LEN, OPT_FWD, OPT_BURST,
	OPT_RXQ, OPT_TX_FIRST, OPT_DURATION, OPT_STATS_PERIOD, OPT_JSON,
	OPT_CHURN_RATE, OPT_CHURN_EXT, OPT_CHURN_BATCH, OPT_MODE, OPT_NO_HOLD,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "iommu", required_argument, NULL, OPT_IOMMU },
	{ "copy", required_argument, NULL, OPT_COPY },
	{ "pkt-len", required_argument, NULL, OPT_PKT_LEN },
	{ "fwd", required_argument, NULL, OPT_FWD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "tx-first", required_argument, NULL, OPT_TX_FIRST },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "churn-rate", required_argument, NULL, OPT_CHURN_RATE },
	{ "churn-ext", no_argument, NULL, OPT_CHURN_EXT },
	{ "churn-batch", required_argument, NULL, OPT_CHURN_BATCH },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "no-hold", no_argument, NULL, OPT_NO_HOLD },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
opt_one(int opt, const char *arg)
{
	struct tpi_config *c = &tpi.cfg;

	switch (opt) {
	case OPT_PORTS:
		if (opt_uint("ports", arg, 2, TPI_MAX_PORTS, &c->nb_ports))
			return -EINVAL;
		if (c->nb_ports % 2 != 0) {
			fprintf(stderr, "--ports: must be even (ports forward in pairs)\n");
			return -EINVAL;
		}
		return 0;
	case OPT_IOMMU:
		if (strcmp(arg, "smmu") != 0 && strcmp(arg, "vtd") != 0 &&
		    strcmp(arg, "direct") != 0 && strcmp(arg, "off") != 0) {
			fprintf(stderr, "--iommu: bad value '%s' (smmu|vtd|direct|off)\n",
				arg);
			return -EINVAL;
		}
		c->iommu = arg;
		return 0;
	case OPT_COPY:
		return opt_uint("copy", arg, 0, 1, &c->copy);
	case OPT_PKT_LEN:
		return opt_uint("pkt-len", arg, 60, 9000, &c->pkt_len);
	case OPT_FWD:
		if (strcmp(arg, "io") == 0)
			c->fwd = TPI_FWD_IO;
		else if (strcmp(arg, "mac") == 0)
			c->fwd = TPI_FWD_MAC;
		else {
			fprintf(stderr, "--fwd: bad value '%s' (io|mac)\n", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_BURST:
		return opt_uint("burst", arg, 1, TPI_MAX_BURST, &c->burst);
	case OPT_RXQ:
		return opt_uint("rxq", arg, 1, TPI_MAX_QUEUES, &c->nb_rxq);
	case OPT_TX_FIRST:
		return opt_uint("tx-first", arg, 0, 64, &c->tx_first);
	case OPT_DURATION:
		return opt_secs("duration", arg, &c->duration);
	case OPT_STATS_PERIOD:
		return opt_secs("stats-period", arg, &c->stats_period);
	case OPT_JSON:
		c->json_path = arg;
		return 0;
	case OPT_CHURN_RATE:
		return opt_uint("churn-rate", arg, 0, 100000000, &c->churn_rate);
	case OPT_CHURN_EXT:
		c->churn_ext = true;
		return 0;
	case OPT_NO_HOLD:
		c->lcore_hold = false;
		return 0;
	case OPT_CHURN_BATCH:
		return opt_uint("churn-batch", arg, 1, TPI_CHURN_BATCH_MAX,
				&c->churn_batch);
	case OPT_MODE:
		if (strcmp(arg, "strict") == 0 || strcmp(arg, "batch") == 0 ||
		    strcmp(arg, "lazy") == 0) {
			c->mode = arg;
			return 0;
		}
		fprintf(stderr, "--mode: bad value '%s' (strict|batch|lazy)\n",
			arg);
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

static int
parse_args(int argc, char **argv)
{
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP || opt == '?') {
			usage(argv[0]);
			return -EINVAL;
		}
		rc = opt_one(opt, optarg);
		if (rc != 0)
			return rc;
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		usage(argv[0]);
		return -EINVAL;
	}
	return 0;
}

/* -------------------------------------------------------------- ports -- */

/* --vdev net_iommu ports given to EAL, in port id order. */
static int
ports_from_eal(void)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(pid, &info) != 0 ||
		    strcmp(info.driver_name, PMD_NAME) != 0)
			continue;
		if (tpi.nb_ports == TPI_MAX_PORTS) {
			fprintf(stderr, "more than %u net_iommu ports\n",
				TPI_MAX_PORTS);
			return -E2BIG;
		}
		tpi.ports[tpi.nb_ports].port_id = pid;
		rte_eth_dev_get_name_by_port(pid, tpi.ports[tpi.nb_ports].name);
		tpi.nb_ports++;
	}
	if (tpi.nb_ports % 2 != 0) {
		fprintf(stderr, "%u net_iommu ports given to EAL: ports forward in pairs, give an even number\n",
			tpi.nb_ports);
		return -EINVAL;
	}
	tpi.eal_ports = tpi.nb_ports != 0;
	return 0;
}

/* Pairs net_iommu<2k>, net_iommu<2k+1>, each the other's peer. */
static int
ports_create(void)
{
	const struct tpi_config *c = &tpi.cfg;
	unsigned int p;

	for (p = 0; p < c->nb_ports; p++) {
		struct tpi_port *tp = &tpi.ports[p];
		char args[256];
		int rc;

		tp->port_id = RTE_MAX_ETHPORTS;	/* none, until created */
		snprintf(tp->name, sizeof(tp->name), PMD_NAME "%u", p);
		snprintf(args, sizeof(args),
			 "iommu=%s,copy=%u,pkt_len=%u,mode=%s,peer=" PMD_NAME "%u",
			 c->iommu, c->copy, c->pkt_len, c->mode, p ^ 1);
		rc = rte_vdev_init(tp->name, args);
		if (rc != 0) {
			fprintf(stderr, "cannot create %s,%s: %s\n", tp->name,
				args, rte_strerror(-rc));
			return rc;
		}
		tp->created = true;
		tpi.nb_ports++;
		rc = rte_eth_dev_get_port_by_name(tp->name, &tp->port_id);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
pool_create(void)
{
	const struct tpi_config *c = &tpi.cfg;
	unsigned int n;
	uint16_t room = (uint16_t)(RTE_PKTMBUF_HEADROOM +
				   RTE_MAX(c->pkt_len, 2048u));

	/* Posted RX descriptors, a full TX ring, the first bursts, and
	 * what lcore caches and bursts in hand hold. */
	n = tpi.nb_ports * c->nb_rxq *
	    (2 * TPI_NB_DESC + c->tx_first * c->burst) +
	    rte_lcore_count() * (MBUF_CACHE + 2 * c->burst) + 1024;
	tpi.pool = rte_pktmbuf_pool_create("tpi_mbufs", n, MBUF_CACHE, 0, room,
					   rte_socket_id());
	if (tpi.pool == NULL) {
		fprintf(stderr, "cannot create a pool of %u mbufs: %s\n", n,
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int
port_setup(struct tpi_port *tp)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t q, nq = (uint16_t)tpi.cfg.nb_rxq;
	int socket = rte_eth_dev_socket_id(tp->port_id);
	int rc;

	socket = socket < 0 ? (int)rte_socket_id() : socket;
	rc = rte_eth_dev_configure(tp->port_id, nq, nq, &conf);
	for (q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(tp->port_id, q, TPI_NB_DESC,
					    socket, NULL, tpi.pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(tp->port_id, q,
						    TPI_NB_DESC, socket, NULL);
	}
	if (rc == 0)
		rc = rte_eth_macaddr_get(tp->port_id, &tp->mac);
	if (rc != 0)
		fprintf(stderr, "%s: set-up: %s\n", tp->name, rte_strerror(-rc));
	return rc;
}

/* Every port set up before any starts: a port's start looks up its
 * peer's RX queues (net_iommu.h, "The wire"). */
static int
ports_start(void)
{
	unsigned int p;
	int rc;

	for (p = 0; p < tpi.nb_ports; p++) {
		rc = port_setup(&tpi.ports[p]);
		if (rc != 0)
			return rc;
		tpi.ports[p].fwd_peer = (uint16_t)(p ^ 1);
		tpi.ports[p].has_iommu =
			uiommu_net_iommu_domain(tpi.ports[p].port_id) != NULL;
	}
	for (p = 0; p < tpi.nb_ports; p++) {
		rc = rte_eth_dev_start(tpi.ports[p].port_id);
		if (rc != 0) {
			fprintf(stderr, "%s: start: %s\n", tpi.ports[p].name,
				rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
ports_close(void)
{
	unsigned int p;

	for (p = 0; p < tpi.nb_ports; p++) {
		struct tpi_port *tp = &tpi.ports[p];

		if (rte_eth_dev_is_valid_port(tp->port_id)) {
			rte_eth_dev_stop(tp->port_id);
			rte_eth_dev_close(tp->port_id);
		}
		if (tp->created)
			rte_vdev_uninit(tp->name);
	}
	tpi.nb_ports = 0;
}

/* ---------------------------------------------------------- main loop -- */

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	__atomic_store_n(&tpi.stop, true, __ATOMIC_RELAXED);
}

/*
 * The control plane while the lcores forward: churn operations at
 * cfg.churn_rate, a stats line every cfg.stats_period, until the deadline
 * or a signal. Sleeps when nothing is due for a while, so that on a small
 * machine the main lcore leaves the CPU to the forwarders.
 * @return the seconds it ran, or < 0 if a churn operation failed.
 */
static double
control_loop(void)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t start = rte_get_timer_cycles();
	const uint64_t never = UINT64_MAX;
	uint64_t deadline = tpi.cfg.duration > 0 ?
		start + (uint64_t)(tpi.cfg.duration * hz) : never;
	uint64_t period = (uint64_t)(tpi.cfg.stats_period * hz);
	uint64_t next_stats = period > 0 ? start + period : never;
	uint64_t churn_gap = tpi.cfg.churn_rate > 0 ?
		RTE_MAX(hz / tpi.cfg.churn_rate, (uint64_t)1) : 0;
	uint64_t next_churn = churn_gap > 0 ? start : never;
	uint64_t now = start;
	int rc = 0;

	while (!__atomic_load_n(&tpi.stop, __ATOMIC_RELAXED)) {
		uint64_t wake;

		now = rte_get_timer_cycles();
		if (now >= deadline)
			break;
		if (now >= next_churn) {
			rc = tpi_churn_op();
			if (rc != 0)
				break;
			/* Behind by more than a second: do not catch up
			 * in one storm. */
			next_churn += churn_gap;
			if (next_churn + hz < now)
				next_churn = now;
			continue;
		}
		if (now >= next_stats) {
			tpi_stats_period((double)(now - start) / hz);
			next_stats += period;
			continue;
		}
		wake = RTE_MIN(RTE_MIN(next_churn, next_stats), deadline);
		if (wake - now > hz / 10000)	/* 100 us: worth a sleep */
			rte_delay_us_sleep(RTE_MIN((wake - now) * 1000000 / hz,
						   (uint64_t)10000));
	}
	now = rte_get_timer_cycles();
	__atomic_store_n(&tpi.stop, true, __ATOMIC_RELAXED);
	return rc != 0 ? -1.0 : (double)(now - start) / hz;
}

static void
print_banner(void)
{
	printf("testpmd-iommu: %u %s ports (%s), %s fwd, burst %u, %u queue(s) per port, %u forwarding lcore(s), pkt_len %u, copy=%u, churn %u/s%s\n",
	       tpi.nb_ports, PMD_NAME,
	       tpi.eal_ports ? "from --vdev" : tpi.cfg.iommu,
	       tpi.cfg.fwd == TPI_FWD_MAC ? "mac" : "io", tpi.cfg.burst,
	       tpi.cfg.nb_rxq, tpi.nb_lcores, tpi.cfg.pkt_len, tpi.cfg.copy,
	       tpi.cfg.churn_rate, tpi.cfg.churn_ext ? " (external memory)" :
	       "");
	printf("iotlb hit and inval/s: the port's IOMMU instance (shared by ports on one backend); faults: the port's DMA faults\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	double duration = -1;
	unsigned int i;
	int ret, rc = 1;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv) != 0)
		goto out_eal;
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "need a main lcore and at least one forwarding lcore (-l 0-1)\n");
		goto out_eal;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (ports_from_eal() != 0)
		goto out_ports;
	if (!tpi.eal_ports && ports_create() != 0)
		goto out_ports;
	if (pool_create() != 0)	/* sized for tpi.nb_ports */
		goto out_ports;
	if (ports_start() != 0 || tpi_fwd_setup() != 0)
		goto out_ports;
	print_banner();
	if (tpi_churn_setup() != 0)
		goto out_churn;

	tpi_stats_start();
	for (i = 0; i < tpi.nb_lcores; i++)
		rte_eal_remote_launch(tpi_fwd_lcore, &tpi.lcores[i],
				      tpi.lcores[i].lcore_id);
	duration = control_loop();
	rte_eal_mp_wait_lcore();

	if (duration > 0) {
		tpi_stats_final(duration);
		rc = 0;
		if (tpi.cfg.json_path != NULL &&
		    tpi_stats_json(tpi.cfg.json_path, duration) != 0)
			rc = 1;
	}
out_churn:
	tpi_churn_teardown();
out_ports:
	ports_close();
	tpi_fwd_teardown();
	rte_mempool_free(tpi.pool);
out_eal:
	rte_eal_cleanup();
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding throughput of the net_iommu PMD (drivers/net_iommu), each
 * IOMMU backend next to iommu=off in the same binary, so that the results
 * are ratios. 64-byte frames, io forwarding (as received, no rewrite),
 * bursts of 32, one queue per port:
 *
 *   BM_fwd_off/copy:C
 *   BM_fwd_{direct,smmu,vtd}/copy:C/hold:H
 *                          the main lcore forwards between the two ports of
 *                          a pair, both directions; copy=C (devarg): 1, the
 *                          device model moves every byte; 0, the first 64
 *                          (all of a 64-byte frame either way); hold=1: the
 *                          lcore is held online between bursts
 *                          (uiommu_net_iommu_lcore_hold()), as
 *                          app/testpmd-iommu's are; 0: each burst resumes
 *                          and pauses it, as under stock testpmd
 *   BM_pair_{direct,smmu,vtd}/copy:C/hold:H
 *                          as BM_fwd of the backend and BM_fwd_off/copy:C,
 *                          in alternate slices of one run (bm_pair()):
 *                          their ratio over the same seconds
 *   BM_fwd_lcores_{off,smmu}/lcores:L/real_time
 *                          L (1 or 2) lcores forwarding, each its own pair
 *                          of ports (copy=1); the second is launched on
 *                          lcore 1 and its packets are added
 *   BM_churn_{direct,smmu,vtd}_<mode>/rate:R/hold:H
 *                          the main lcore forwards (copy=1, ports created
 *                          with mode=<mode>, held as in BM_fwd if H = 1)
 *                          while a control thread on the other CPU unmaps
 *                          one 4 KiB page and maps another R times a
 *                          second in the ports' domains; R = 0: no control
 *                          thread. Modes: strict, batch, lazy (CHURN_MODES)
 *
 * The configurations that run on one lcore and on two (off and smmu,
 * copy=1) use the same ports: pair 0 of two.
 *
 * One iteration is one forwarding round: on each port of the pair, one
 * rx_burst of up to 32 and a tx_burst of what came in on the other port of
 * the pair. Items are the packets tx_burst took, so items_per_second is the
 * forwarding rate: per second of the main lcore's CPU time for BM_fwd and
 * BM_churn (this VM is shared: the wall clock counts whatever else ran on
 * that CPU), per wall-clock second for BM_fwd_lcores, which adds two
 * threads' packets. Each stream (port A RX -> port B TX) is a closed loop,
 * as in app/testpmd-iommu: the ports are each other's peer, so what B sends
 * arrives on A, and TX_FIRST bursts sent at set-up circulate for good.
 * Counters: wall_pps and cpu_pps (every benchmark, see bm_fwd_run()),
 * iotlb_misses_per_pkt (the main lcore's, in the ports' hw), drops,
 * churn_ops_per_s (wall clock), syncs_per_churn_op (strict unmaps and
 * flushes in the churn domains) and lcore0_pkts / lcore1_pkts (per second).
 *
 *   bench_net_iommu [--benchmark_* options]   (test/bench/run.sh: + ratios)
 *
 * EAL runs with fixed arguments (no hugepages, IOVA as VA so that
 * iommu=off costs nothing, lcores 0-1, a --file-prefix of its own; with
 * UIOMMU_BENCH_HUGE=1, 2 MiB hugepages instead); the command line is
 * Google Benchmark's. Ports are created the first time a
 * configuration is run and kept until exit, so that randomly interleaved
 * repetitions do not pay for them.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_pause.h>

#include <uiommu.h>
#include <uiommu_net_iommu.h>

#include "ubench.h"

#define PMD_NAME	"net_iommu"
#define PKT_LEN		64u
#define BURST		32u
#define NB_DESC		512u	/* RX and TX descriptors per queue */
#define TX_FIRST	4u	/* bursts each stream sends at set-up */
#define MBUF_CACHE	256u
#define MAX_PAIRS	2u
#define MAX_FIXTURES	16u

/*
 * Churn window, per port: CHURN_PAGES pages of IOVA of which CHURN_LIVE
 * are mapped at any time; an operation unmaps the oldest live page and
 * maps the next free one. An IOVA is mapped again only CHURN_PAGES -
 * CHURN_LIVE operations (on that port) after its unmap, so a mode that
 * defers invalidations is not forced to flush by a map over a range it
 * still holds: the window is fair to strict, batched and lazy alike.
 */
#define CHURN_PAGES	1024u
#define CHURN_LIVE	512u
#define CHURN_PAGE	4096u
#define CHURN_LEN	((size_t)CHURN_PAGES * CHURN_PAGE)
#define PROT_RW		(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)

enum fwd_kind { KIND_OFF, KIND_DIRECT, KIND_SMMU, KIND_VTD };

static const char *const kind_devarg[] = {
	[KIND_OFF] = "off",
	[KIND_DIRECT] = "direct",
	[KIND_SMMU] = "smmu",
	[KIND_VTD] = "vtd",
};

/*
 * The invalidation modes the churn benchmarks run in:
 * X(name, the ports' devarg mode=, batch); adding one is adding a line.
 * - strict: every uiommu_unmap() syncs (IOTLB invalidation, grace period);
 * - batch: the domains stay strict, and the churn thread defers its
 *   unmaps (uiommu_unmap_deferred()) and flushes every CHURN_BATCH of them
 *   in a domain: one sync per batch, the way Linux's iommu_unmap_fast() and
 *   iommu_iotlb_sync() are used. The ports are the strict ones: mode=batch
 *   only batches the PMD's own unmaps, of which there are none here, and
 *   ethdev has room for 32 ports (RTE_MAX_ETHPORTS in Debian's build);
 * - lazy: mode=lazy makes the domains LAZY: uiommu_unmap() defers, and the
 *   domain flushes when its queue is full (256), when the oldest deferred
 *   unmap is 10 ms old, or on the PMD's 10 ms alarm.
 */
#define CHURN_BATCH	32u
#define CHURN_MODES(X)			\
	X(strict, "strict", 0)		\
	X(batch, "strict", CHURN_BATCH)	\
	X(lazy, "lazy", 0)

/* The two ports of a forwarding pair, each the other's net_iommu peer. */
struct fwd_pair {
	uint16_t port[2];
};

/* One port's part of the churn window. Main thread at set-up and
 * teardown, the churn thread in between. */
struct churn_port {
	struct uiommu_domain *dom;
	uint8_t *va;		/* CHURN_LEN of rte_malloc memory */
	uint32_t head;		/* oldest live page */
	uint32_t live;		/* pages mapped from head on, CHURN_LIVE */
	uint32_t deferred;	/* batch: unmaps since the last flush */
};

/* Ports of one configuration, created on first use, kept until exit. */
struct fixture {
	enum fwd_kind kind;
	unsigned int copy;
	const char *mode;
	unsigned int nb_pairs;
	struct fwd_pair pair[MAX_PAIRS];
	char name[2 * MAX_PAIRS][32];
	bool created[2 * MAX_PAIRS];
	struct rte_mempool *pool;
	bool churn_ready;
	uint64_t churn_iova;	/* window base, same in both domains */
	struct churn_port churn[2];	/* pair 0's ports */
};

static struct fixture fixtures[MAX_FIXTURES];
static unsigned int nb_fixtures;
static unsigned int nb_vdevs;	/* vdev names are never reused */

/* ---------------------------------------------------------- forwarding -- */

/*
 * One round on @pr: each port's RX to the other's TX. Returns the packets
 * sent; what TX does not take is freed and added to @drops.
 */
static __rte_always_inline uint64_t
fwd_round(const struct fwd_pair *pr, uint64_t *drops)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t sent_all = 0;
	unsigned int d;

	for (d = 0; d < 2; d++) {
		uint16_t n, sent;

		n = rte_eth_rx_burst(pr->port[d], 0, pkts, BURST);
		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(pr->port[d ^ 1], 0, pkts, n);
		if (unlikely(sent < n)) {
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
			*drops += n - sent;
		}
		sent_all += sent;
	}
	return sent_all;
}

/* The second forwarding lcore: pair 1 until told to stop. */
struct fwd_worker {
	const struct fwd_pair *pair;
	clockid_t clock;	/* the worker's CPU clock, set before ->up */
	bool up;		/* worker writes (release), main reads */
	uint64_t pkts;		/* worker writes (relaxed), main reads */
	uint64_t drops;		/* read by main after the worker returned */
	bool stop;		/* main writes, worker polls */
} __rte_cache_aligned;

static int
fwd_worker_main(void *arg)
{
	struct fwd_worker *w = arg;
	uint64_t pkts = 0, drops = 0;

	if (pthread_getcpuclockid(pthread_self(), &w->clock) != 0)
		w->clock = CLOCK_THREAD_CPUTIME_ID;	/* reads main's: 0 */
	/* Pairs with main's acquire load before it reads ->clock. */
	__atomic_store_n(&w->up, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		pkts += fwd_round(w->pair, &drops);
		/* Only a count: relaxed, torn-free, no ordering needed. */
		__atomic_store_n(&w->pkts, pkts, __ATOMIC_RELAXED);
	}
	w->drops = drops;	/* published by rte_eal_wait_lcore() */
	return 0;
}

/* ------------------------------------------------------------- fixture -- */

/* A 64-byte frame: Ethernet header, zero payload; content is not looked at. */
static int
tx_first(uint16_t port, struct rte_mempool *pool)
{
	static const struct rte_ether_hdr eth = {
		.dst_addr.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 },
		.src_addr.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 },
		.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4),
	};
	struct rte_mbuf *pkts[BURST];
	unsigned int b, i;
	uint16_t sent;

	for (b = 0; b < TX_FIRST; b++) {
		if (rte_pktmbuf_alloc_bulk(pool, pkts, BURST) != 0)
			return -ENOMEM;
		for (i = 0; i < BURST; i++) {
			char *data = rte_pktmbuf_append(pkts[i], PKT_LEN);

			if (data == NULL) {
				rte_pktmbuf_free_bulk(pkts, BURST);
				return -ENOSPC;
			}
			memset(data, 0, PKT_LEN);
			memcpy(data, &eth, sizeof(eth));
		}
		sent = rte_eth_tx_burst(port, 0, pkts, BURST);
		if (sent < BURST) {
			rte_pktmbuf_free_bulk(pkts + sent, BURST - sent);
			return -ENOSPC;
		}
	}
	return 0;
}

static int
port_setup(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_socket_id(),
					    NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_socket_id(),
					    NULL);
	return rc;
}

/*
 * Map the churn window in pair 0's domains, at an IOVA the PMD finds clear
 * of DPDK memory (uiommu_net_iommu_iova_window()).
 */
static int
churn_setup(struct fixture *f, const char **step)
{
	unsigned int p;
	int rc;

	*step = "churn window IOVA";
	rc = uiommu_net_iommu_iova_window(CHURN_LEN, &f->churn_iova);
	if (rc != 0)
		return rc;
	for (p = 0; p < 2; p++) {
		struct churn_port *cp = &f->churn[p];

		*step = "uiommu_net_iommu_domain";
		cp->dom = uiommu_net_iommu_domain(f->pair[0].port[p]);
		if (cp->dom == NULL)
			return -rte_errno;
		*step = "churn window memory";
		cp->va = rte_malloc("bench_churn", CHURN_LEN, CHURN_PAGE);
		if (cp->va == NULL)
			return -ENOMEM;
		*step = "uiommu_map of the churn window";
		rc = uiommu_map(cp->dom, f->churn_iova, cp->va,
				(size_t)CHURN_LIVE * CHURN_PAGE, PROT_RW);
		if (rc != 0)
			return rc;
		cp->head = 0;
		cp->live = CHURN_LIVE;
	}
	f->churn_ready = true;
	return 0;
}

/* The live pages of the window, in one or two ranges (it wraps). */
static int
churn_teardown(struct fixture *f, const char **step)
{
	unsigned int p;

	for (p = 0; p < 2; p++) {
		struct churn_port *cp = &f->churn[p];
		uint32_t first = RTE_MIN(cp->live, CHURN_PAGES - cp->head);

		/* Deferred unmaps of the window first: its memory is freed. */
		if (cp->dom != NULL)
			uiommu_domain_flush(cp->dom);
		if (cp->live != 0) {
			uiommu_unmap(cp->dom, f->churn_iova +
				     (uint64_t)cp->head * CHURN_PAGE,
				     (size_t)first * CHURN_PAGE);
			if (cp->live > first)
				uiommu_unmap(cp->dom, f->churn_iova,
					     (size_t)(cp->live - first) *
					     CHURN_PAGE);
		}
		if (cp->dom != NULL)
			uiommu_domain_flush(cp->dom);
		rte_free(cp->va);
		memset(cp, 0, sizeof(*cp));
	}
	f->churn_ready = false;
	*step = NULL;
	return 0;
}

/*
 * Run a control call of the churn window on a thread that is not an
 * lcore. The core reports a quiescent state for an lcore that makes a
 * strict control call and so leaves it online in the ctx's QSBR, where
 * it would hold up the churn thread's grace periods until its next burst;
 * a thread that is no lcore never is.
 */
struct ctl_call {
	int (*fn)(struct fixture *f, const char **step);
	struct fixture *f;
	const char *step;
	int rc;
};

static void *
ctl_main(void *arg)
{
	struct ctl_call *c = arg;

	c->rc = c->fn(c->f, &c->step);
	return NULL;
}

static int
ctl_run(int (*fn)(struct fixture *f, const char **step), struct fixture *f,
	const char **step)
{
	struct ctl_call c = { .fn = fn, .f = f, .step = "pthread_create" };
	pthread_t tid;
	int rc;

	rc = pthread_create(&tid, NULL, ctl_main, &c);
	if (rc != 0)
		return -rc;
	pthread_join(tid, NULL);
	*step = c.step;
	return c.rc;
}

static void
fixture_destroy(struct fixture *f)
{
	const char *step;
	unsigned int i;

	if (f->churn_ready)
		ctl_run(churn_teardown, f, &step);
	for (i = 0; i < 2 * MAX_PAIRS; i++) {
		uint16_t port = f->pair[i / 2].port[i % 2];

		if (f->created[i] && rte_eth_dev_is_valid_port(port))
			rte_eth_dev_stop(port);
	}
	for (i = 0; i < 2 * MAX_PAIRS; i++) {
		uint16_t port = f->pair[i / 2].port[i % 2];

		if (!f->created[i])
			continue;
		if (rte_eth_dev_is_valid_port(port))
			rte_eth_dev_close(port);
		rte_vdev_uninit(f->name[i]);
		f->created[i] = false;
	}
	rte_mempool_free(f->pool);
	f->pool = NULL;
}

/* Create the vdevs of @f's pairs, set them all up, then start them. */
static int
fixture_create(struct fixture *f, const char **step)
{
	unsigned int n = 2 * f->nb_pairs, i;
	char args[160];
	int rc;

	*step = "rte_pktmbuf_pool_create";
	snprintf(args, sizeof(args), "bench_mbufs%u", nb_fixtures);
	f->pool = rte_pktmbuf_pool_create(args, n * (2 * NB_DESC +
					  TX_FIRST * BURST) +
					  rte_lcore_count() *
					  (MBUF_CACHE + 2 * BURST) + 1024,
					  MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (f->pool == NULL)
		return -rte_errno;
	for (i = 0; i < n; i++) {
		snprintf(f->name[i], sizeof(f->name[i]), PMD_NAME "_bench%u",
			 nb_vdevs + i);
		f->pair[i / 2].port[i % 2] = RTE_MAX_ETHPORTS;
	}
	for (i = 0; i < n; i++) {
		uint16_t *port = &f->pair[i / 2].port[i % 2];

		*step = "rte_vdev_init";
		snprintf(args, sizeof(args),
			 "iommu=%s,copy=%u,pkt_len=%u,mode=%s,peer=%s",
			 kind_devarg[f->kind], f->copy, PKT_LEN, f->mode,
			 f->name[i ^ 1]);
		rc = rte_vdev_init(f->name[i], args);
		if (rc != 0)
			return rc;
		f->created[i] = true;
		rc = rte_eth_dev_get_port_by_name(f->name[i], port);
		if (rc == 0)
			rc = port_setup(*port, f->pool);
		if (rc != 0) {
			*step = "port set-up";
			return rc;
		}
	}
	nb_vdevs += n;
	/* Every port set up before any starts: a port's start looks its
	 * peer's RX queues up (net_iommu.h, "The wire"). */
	for (i = 0; i < n; i++) {
		*step = "rte_eth_dev_start";
		rc = rte_eth_dev_start(f->pair[i / 2].port[i % 2]);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < n; i++) {
		*step = "tx_first";
		rc = tx_first(f->pair[i / 2].port[i % 2], f->pool);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Pairs of ports a configuration has: two for the ones BM_fwd_lcores runs
 * (copy=1, strict, off or smmu), whose pair 0 the one-lcore benchmarks of
 * that configuration use too. One set of ports per configuration keeps the
 * total under ethdev's 32.
 */
static unsigned int
fixture_pairs(enum fwd_kind kind, unsigned int copy, const char *mode)
{
	if (copy == 1 && strcmp(mode, "strict") == 0 &&
	    (kind == KIND_OFF || kind == KIND_SMMU))
		return 2;
	return 1;
}

/*
 * The fixture of a configuration, created on first use; NULL with a
 * negative errno in *@rc and the failed step in *@step.
 */
static struct fixture *
fixture_get(enum fwd_kind kind, unsigned int copy, const char *mode,
	    bool churn, int *rc, const char **step)
{
	unsigned int nb_pairs = fixture_pairs(kind, copy, mode);
	struct fixture *f;
	unsigned int i;

	for (i = 0; i < nb_fixtures; i++) {
		f = &fixtures[i];
		if (f->kind == kind && f->copy == copy &&
		    strcmp(f->mode, mode) == 0 && f->nb_pairs == nb_pairs)
			goto found;
	}
	*step = "too many configurations";
	*rc = -ENOSPC;
	if (nb_fixtures == MAX_FIXTURES)
		return NULL;
	f = &fixtures[nb_fixtures];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->copy = copy;
	f->mode = mode;
	f->nb_pairs = nb_pairs;
	*rc = fixture_create(f, step);
	if (*rc != 0) {
		fixture_destroy(f);
		return NULL;
	}
	nb_fixtures++;
found:
	if (churn && !f->churn_ready) {
		*rc = ctl_run(churn_setup, f, step);
		if (*rc != 0) {
			const char *undo;

			ctl_run(churn_teardown, f, &undo);
			return NULL;
		}
	}
	*rc = 0;
	return f;
}

static void
fixtures_destroy(void)
{
	while (nb_fixtures > 0)
		fixture_destroy(&fixtures[--nb_fixtures]);
}

/* ------------------------------------------------------------- churn -- */

struct churn_thread {
	struct fixture *f;
	uint64_t rate;		/* operations per second */
	unsigned int batch;	/* 0: uiommu_unmap(); N: deferred, flush
				 * every N in a domain */
	uint64_t ops;		/* churn thread writes (relaxed), main reads */
	int rc;			/* first failure (relaxed; read after the
				 * join but for the wait for a first op) */
	bool stop;		/* main writes, churn thread polls */
} __rte_cache_aligned;

/* Unmap the oldest live page of one of pair 0's ports, map the next. */
static int
churn_op(const struct churn_thread *ct, uint64_t op)
{
	struct fixture *f = ct->f;
	struct churn_port *cp = &f->churn[op & 1];
	uint64_t iova = f->churn_iova + (uint64_t)cp->head * CHURN_PAGE;
	uint32_t next = (cp->head + cp->live) % CHURN_PAGES;
	int rc;

	if (ct->batch == 0) {
		rc = uiommu_unmap(cp->dom, iova, CHURN_PAGE);
	} else {
		rc = uiommu_unmap_deferred(cp->dom, iova, CHURN_PAGE);
		if (rc == 0 && ++cp->deferred == ct->batch) {
			cp->deferred = 0;
			rc = uiommu_domain_flush(cp->dom);
		}
	}
	if (rc != 0)
		return rc;
	cp->head = (cp->head + 1) % CHURN_PAGES;
	cp->live--;
	rc = uiommu_map(cp->dom, f->churn_iova + (uint64_t)next * CHURN_PAGE,
			cp->va + (size_t)next * CHURN_PAGE, CHURN_PAGE,
			PROT_RW);
	if (rc != 0)
		return rc;
	cp->live++;
	return 0;
}

/*
 * The control plane: churn_op() at ->rate, sleeping when the next one is
 * more than 100 us away, spinning otherwise. Not an EAL lcore (a strict
 * unmap from it waits for the forwarding lcore, never for itself), pinned
 * to the CPU of lcore 1, so that it competes with the forwarder for
 * nothing but the memory system, the tables' locks and the grace periods.
 */
static void *
churn_main(void *arg)
{
	struct churn_thread *ct = arg;
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t gap = RTE_MAX(hz / ct->rate, (uint64_t)1);
	uint64_t next = rte_get_timer_cycles(), ops = 0;
	int rc;

	while (!__atomic_load_n(&ct->stop, __ATOMIC_RELAXED)) {
		uint64_t now = rte_get_timer_cycles();

		if (now < next) {
			if (next - now > hz / 10000)
				rte_delay_us_sleep(RTE_MIN((next - now) *
							   1000000 / hz,
							   (uint64_t)10000));
			else
				rte_pause();
			continue;
		}
		rc = churn_op(ct, ops);
		if (rc != 0) {
			__atomic_store_n(&ct->rc, rc, __ATOMIC_RELAXED);
			break;
		}
		/* Behind by more than a second: no catching up in a burst. */
		next += gap;
		if (next + hz < now)
			next = now;
		__atomic_store_n(&ct->ops, ++ops, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int
churn_start(struct churn_thread *ct, pthread_t *tid)
{
	unsigned int other = rte_get_next_lcore(-1, 1, 0);
	rte_cpuset_t cpus;
	pthread_attr_t attr;
	int rc;

	if (other >= RTE_MAX_LCORE)
		return -ENODEV;
	cpus = rte_lcore_cpuset(other);
	rc = pthread_attr_init(&attr);
	if (rc != 0)
		return -rc;
	rc = pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	if (rc == 0)
		rc = pthread_create(tid, &attr, churn_main, ct);
	pthread_attr_destroy(&attr);
	return -rc;
}

/* ---------------------------------------------------------- the loop -- */

static uint64_t
pair_errors(const struct fwd_pair *pr)
{
	struct rte_eth_stats s;
	uint64_t sum = 0;
	unsigned int d;

	for (d = 0; d < 2; d++)
		if (rte_eth_stats_get(pr->port[d], &s) == 0)
			sum += s.ierrors + s.oerrors + s.rx_nombuf;
	return sum;
}

static uint64_t
iotlb_misses(const struct fixture *f)
{
	struct uiommu_lcore_stats s = { 0 };
	struct uiommu_hw *hw;

	if (f->kind == KIND_OFF)
		return 0;
	hw = uiommu_net_iommu_hw(f->pair[0].port[0]);
	if (hw != NULL)
		uiommu_hw_stats(hw, rte_lcore_id(), &s);
	return s.misses;
}

/* Backend syncs (flushes and strict unmaps) in pair 0's churn domains. */
static uint64_t
churn_syncs(const struct fixture *f)
{
	struct uiommu_domain_inv_stats s;
	uint64_t n = 0;
	unsigned int p;

	for (p = 0; f->churn_ready && p < 2; p++)
		if (uiommu_domain_inv_stats(f->churn[p].dom, &s) == 0)
			n += s.unmaps + s.flushes;
	return n;
}

static double
cpu_seconds(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Forward on the main lcore through pair 0 of @f while, if asked, lcore 1
 * forwards through pair 1 (@worker) or the churn thread runs (@churn);
 * @hold: the main lcore is held online while it forwards.
 * Besides the items, two counters that do not depend on the timer the
 * benchmark uses: wall_pps, every packet over the wall-clock time, and
 * cpu_pps, the sum over the forwarding threads of their packets over
 * their own CPU time (what each would do with a CPU to itself; on a
 * shared machine the steadier of the two).
 */
static void
bm_fwd_run(ubench_state *st, struct fixture *f, struct fwd_worker *worker,
	   struct churn_thread *churn, bool hold)
{
	uint64_t pkts = 0, drops = 0, w0 = 0, w1 = 0, c0 = 0, c1 = 0;
	uint64_t errors0, misses0, wall0, wall1, syncs0 = 0, syncs1 = 0;
	double cpu0, cpu1, wcpu0 = 0, wcpu1 = 0, cpu_pps;
	unsigned int lcore1 = rte_get_next_lcore(-1, 1, 0);
	pthread_t churn_tid;
	int rc;

	errors0 = pair_errors(&f->pair[0]) +
		  (worker != NULL ? pair_errors(&f->pair[1]) : 0);
	if (worker != NULL) {
		worker->pair = &f->pair[1];
		if (rte_eal_remote_launch(fwd_worker_main, worker,
					  lcore1) != 0) {
			ubench_skip_with_error(st, "rte_eal_remote_launch failed");
			return;
		}
		/* Up and forwarding before the clock starts; the acquire
		 * pairs with the worker's release of ->up (->clock). */
		while (!__atomic_load_n(&worker->up, __ATOMIC_ACQUIRE))
			rte_pause();
	}
	if (churn != NULL && churn->rate != 0) {
		rc = churn_start(churn, &churn_tid);
		if (rc != 0) {
			ubench_skip_with_error(st, "churn thread: %s",
					       strerror(-rc));
			return;
		}
		while (__atomic_load_n(&churn->ops, __ATOMIC_RELAXED) == 0 &&
		       __atomic_load_n(&churn->rc, __ATOMIC_RELAXED) == 0)
			rte_pause();
	}
	misses0 = iotlb_misses(f);
	if (worker != NULL) {
		w0 = __atomic_load_n(&worker->pkts, __ATOMIC_RELAXED);
		wcpu0 = cpu_seconds(worker->clock);
	}
	if (churn != NULL) {
		c0 = __atomic_load_n(&churn->ops, __ATOMIC_RELAXED);
		syncs0 = churn_syncs(f);
	}
	/* Held from the first round's end on. Its result is checked by
	 * the PMD's tests; here a failure would only make it paused. */
	if (hold)
		uiommu_net_iommu_lcore_hold();
	cpu0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
	wall0 = rte_get_timer_cycles();

	while (ubench_keep_running(st))
		pkts += fwd_round(&f->pair[0], &drops);

	wall1 = rte_get_timer_cycles();
	cpu1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
	/* Before anything below waits for an unmap, or the next benchmark
	 * creates ports: their control calls must not wait for this lcore. */
	if (hold)
		uiommu_net_iommu_lcore_release();
	if (worker != NULL) {
		w1 = __atomic_load_n(&worker->pkts, __ATOMIC_RELAXED);
		wcpu1 = cpu_seconds(worker->clock);
	}
	if (churn != NULL) {
		c1 = __atomic_load_n(&churn->ops, __ATOMIC_RELAXED);
		syncs1 = churn_syncs(f);
	}
	if (worker != NULL) {
		__atomic_store_n(&worker->stop, true, __ATOMIC_RELAXED);
		rte_eal_wait_lcore(lcore1);
		drops += worker->drops;
	}
	if (churn != NULL && churn->rate != 0) {
		__atomic_store_n(&churn->stop, true, __ATOMIC_RELAXED);
		pthread_join(churn_tid, NULL);
		if (churn->rc != 0)
			ubench_skip_with_error(st, "churn: %s",
					       strerror(-churn->rc));
	}

	if (pkts == 0)
		ubench_skip_with_error(st, "nothing forwarded");
	if (pair_errors(&f->pair[0]) +
	    (worker != NULL ? pair_errors(&f->pair[1]) : 0) != errors0)
		ubench_skip_with_error(st, "RX/TX errors (DMA faults?)");
	ubench_set_items_processed(st, (int64_t)(pkts + w1 - w0));
	ubench_counter(st, "drops", (double)drops);
	ubench_counter(st, "wall_pps", (double)(pkts + w1 - w0) *
		       (double)rte_get_timer_hz() /
		       (double)RTE_MAX(wall1 - wall0, (uint64_t)1));
	cpu_pps = cpu1 > cpu0 ? (double)pkts / (cpu1 - cpu0) : 0;
	if (worker != NULL && wcpu1 > wcpu0)
		cpu_pps += (double)(w1 - w0) / (wcpu1 - wcpu0);
	ubench_counter(st, "cpu_pps", cpu_pps);
	if (f->kind != KIND_OFF)
		ubench_counter(st, "iotlb_misses_per_pkt",
			       (double)(iotlb_misses(f) - misses0) /
			       (double)RTE_MAX(pkts, (uint64_t)1));
	if (worker != NULL) {
		ubench_counter_rate(st, "lcore0_pkts", (double)pkts);
		ubench_counter_rate(st, "lcore1_pkts", (double)(w1 - w0));
	}
	if (churn != NULL) {
		ubench_counter(st, "churn_ops_per_s", (double)(c1 - c0) *
			       (double)rte_get_timer_hz() /
			       (double)RTE_MAX(wall1 - wall0, (uint64_t)1));
		/* Approximate: read while the churn thread runs. */
		ubench_counter(st, "syncs_per_churn_op",
			       (double)(syncs1 - syncs0) /
			       (double)RTE_MAX(c1 - c0, (uint64_t)1));
	}
}

static void
bm_fwd(ubench_state *st, enum fwd_kind kind)
{
	bool hold = kind != KIND_OFF && ubench_range(st, 1) != 0;
	const char *step;
	struct fixture *f;
	int rc;

	f = fixture_get(kind, (unsigned int)ubench_range(st, 0), "strict",
			false, &rc, &step);
	if (f == NULL) {
		ubench_skip_with_error(st, "%s: %s", step, rte_strerror(-rc));
		return;
	}
	bm_fwd_run(st, f, NULL, NULL, hold);
}

/*
 * Rounds in one slice of BM_pair (at most): ~4 ms at 64 packets a round, long
 * enough that switching ports costs nothing measurable, short next to the
 * slow spells of this shared VM (seconds; all configurations, iommu=off
 * included, slow down together in them).
 */
#define PAIR_SLICE	2048

/*
 * The backend @kind and iommu=off forward in alternate slices of one
 * benchmark run, each timed on the main lcore's CPU clock, so that their
 * ratio is measured over the same seconds. BM_fwd's ratios are of
 * medians over randomly interleaved repetitions, and a slow spell that
 * covers more of one side's repetitions than the other's moves them by as
 * much as the spell slows things (up to 30 %, doc/perf.md).
 * Items: packets of both sides. Counters: pps (the backend's, per second
 * of CPU), off_pps (iommu=off's), ratio (pps / off_pps).
 */
static void
bm_pair(ubench_state *st, enum fwd_kind kind)
{
	unsigned int copy = (unsigned int)ubench_range(st, 0);
	bool hold = ubench_range(st, 1) != 0;
	struct fixture *side[2];	/* 0: the backend, 1: iommu=off */
	/* Google Benchmark's first, estimating runs are short: they get
	 * short slices too, so that both sides run in each. */
	uint64_t slice = RTE_MIN((uint64_t)PAIR_SLICE,
		RTE_MAX((uint64_t)ubench_max_iterations(st) / 8, (uint64_t)1));
	uint64_t pkts[2] = { 0, 0 }, drops = 0, errors0, round = 0;
	double cpu[2] = { 0, 0 }, t0, t1, pps, off_pps;
	unsigned int cur = 0, i;
	const char *step;
	int rc;

	side[0] = fixture_get(kind, copy, "strict", false, &rc, &step);
	side[1] = side[0] == NULL ? NULL :
		fixture_get(KIND_OFF, copy, "strict", false, &rc, &step);
	if (side[0] == NULL || side[1] == NULL) {
		ubench_skip_with_error(st, "%s: %s", step, rte_strerror(-rc));
		return;
	}
	errors0 = pair_errors(&side[0]->pair[0]) +
		  pair_errors(&side[1]->pair[0]);
	/* The off slices do not report quiescent states; nothing here
	 * waits for a grace period, and the hold ends before anything does. */
	if (hold)
		uiommu_net_iommu_lcore_hold();
	t0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
	while (ubench_keep_running(st)) {
		pkts[cur] += fwd_round(&side[cur]->pair[0], &drops);
		if (++round % slice == 0) {
			t1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
			cpu[cur] += t1 - t0;
			t0 = t1;
			cur ^= 1;
		}
	}
	cpu[cur] += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (hold)
		uiommu_net_iommu_lcore_release();

	/* A run of one iteration (the first estimate) has one side only. */
	for (i = 0; i < 2 && round >= 2; i++)
		if (pkts[i] == 0 || cpu[i] <= 0)
			ubench_skip_with_error(st, "a side forwarded nothing");
	if (pair_errors(&side[0]->pair[0]) +
	    pair_errors(&side[1]->pair[0]) != errors0)
		ubench_skip_with_error(st, "RX/TX errors (DMA faults?)");
	pps = (double)pkts[0] / RTE_MAX(cpu[0], 1e-9);
	off_pps = (double)pkts[1] / RTE_MAX(cpu[1], 1e-9);
	ubench_set_items_processed(st, (int64_t)(pkts[0] + pkts[1]));
	ubench_counter(st, "drops", (double)drops);
	ubench_counter(st, "pps", pps);
	ubench_counter(st, "off_pps", off_pps);
	ubench_counter(st, "ratio", pps / RTE_MAX(off_pps, 1.0));
}

static void
bm_fwd_lcores(ubench_state *st, enum fwd_kind kind)
{
	struct fwd_worker *worker = NULL;
	const char *step;
	struct fixture *f;
	int rc;

	f = fixture_get(kind, 1, "strict", false, &rc, &step);
	if (f != NULL && f->nb_pairs < 2) {
		ubench_skip_with_error(st, "one pair of ports only");
		return;
	}
	if (f == NULL) {
		ubench_skip_with_error(st, "%s: %s", step, rte_strerror(-rc));
		return;
	}
	if (ubench_range(st, 0) == 2) {
		worker = rte_zmalloc("bench_worker", sizeof(*worker),
				     RTE_CACHE_LINE_SIZE);
		if (worker == NULL) {
			ubench_skip_with_error(st, "no memory");
			return;
		}
	}
	bm_fwd_run(st, f, worker, NULL, false);
	rte_free(worker);
}

static void
bm_churn(ubench_state *st, enum fwd_kind kind, const char *mode,
	 unsigned int batch)
{
	struct churn_thread *ct;
	const char *step;
	struct fixture *f;
	int rc;

	f = fixture_get(kind, 1, mode, true, &rc, &step);
	if (f == NULL) {
		ubench_skip_with_error(st, "%s: %s", step, rte_strerror(-rc));
		return;
	}
	ct = rte_zmalloc("bench_churn", sizeof(*ct), RTE_CACHE_LINE_SIZE);
	if (ct == NULL) {
		ubench_skip_with_error(st, "no memory");
		return;
	}
	ct->f = f;
	ct->rate = (uint64_t)ubench_range(st, 0);
	ct->batch = batch;
	bm_fwd_run(st, f, NULL, ct, ubench_range(st, 1) != 0);
	rte_free(ct);
}

/* --------------------------------------------------------------- main -- */

#define FWD_DEFINE(kind, KIND)						\
static void bm_fwd_##kind(ubench_state *st) { bm_fwd(st, KIND); }
FWD_DEFINE(off, KIND_OFF)
FWD_DEFINE(direct, KIND_DIRECT)
FWD_DEFINE(smmu, KIND_SMMU)
FWD_DEFINE(vtd, KIND_VTD)

#define PAIR_DEFINE(kind, KIND)						\
static void bm_pair_##kind(ubench_state *st) { bm_pair(st, KIND); }
PAIR_DEFINE(direct, KIND_DIRECT)
PAIR_DEFINE(smmu, KIND_SMMU)
PAIR_DEFINE(vtd, KIND_VTD)

static void bm_fwd_lcores_off(ubench_state *st) { bm_fwd_lcores(st, KIND_OFF); }
static void bm_fwd_lcores_smmu(ubench_state *st) { bm_fwd_lcores(st, KIND_SMMU); }

#define CHURN_DEFINE(mode, devarg, batch)				\
static void bm_churn_direct_##mode(ubench_state *st)			\
{ bm_churn(st, KIND_DIRECT, devarg, batch); }				\
static void bm_churn_smmu_##mode(ubench_state *st)			\
{ bm_churn(st, KIND_SMMU, devarg, batch); }				\
static void bm_churn_vtd_##mode(ubench_state *st)			\
{ bm_churn(st, KIND_VTD, devarg, batch); }
CHURN_MODES(CHURN_DEFINE)

static void
register_fwd_off(void)
{
	ubench *b = ubench_arg_name(ubench_register("BM_fwd_off", bm_fwd_off),
				    "copy");

	ubench_arg(ubench_arg(b, 0), 1);
}

static void
register_fwd(const char *name, ubench_fn *fn)
{
	static const char *const names[] = { "copy", "hold" };
	ubench *b = ubench_arg_names(ubench_register(name, fn), names, 2);
	int64_t copy, hold;

	for (copy = 0; copy <= 1; copy++)
		for (hold = 0; hold <= 1; hold++)
			ubench_args(b, (const int64_t[]){ copy, hold }, 2);
}

static void
register_lcores(const char *name, ubench_fn *fn)
{
	ubench *b = ubench_arg_name(ubench_register(name, fn), "lcores");

	ubench_use_real_time(ubench_arg(ubench_arg(b, 1), 2));
}

/* Churn rates: none, the demo's (scripts/demo.sh), and as fast as the
 * control thread goes up to 10^6/s (strict does not reach it; batch and
 * lazy on smmu_sim and vtd_sim do, see churn_ops_per_s). */
static void
register_churn(const char *name, ubench_fn *fn)
{
	static const char *const names[] = { "rate", "hold" };
	static const int64_t rates[] = { 0, 1000, 1000000 };
	ubench *b = ubench_arg_names(ubench_register(name, fn), names, 2);
	int64_t hold;
	unsigned int r;

	for (hold = 0; hold <= 1; hold++)
		for (r = 0; r < RTE_DIM(rates); r++)
			ubench_args(b, (const int64_t[]){ rates[r], hold }, 2);
}

#define CHURN_REGISTER(mode, devarg, batch)				\
	register_churn("BM_churn_direct_" #mode, bm_churn_direct_##mode);	\
	register_churn("BM_churn_smmu_" #mode, bm_churn_smmu_##mode);	\
	register_churn("BM_churn_vtd_" #mode, bm_churn_vtd_##mode);

int
main(int argc, char **argv)
{
	/* UIOMMU_BENCH_HUGE=1: 2 MiB hugepages (root, ~800 free), how
	 * DPDK runs in production; the CPU's own TLB then costs both sides
	 * less, iommu=off most. Default: 4 KiB pages, runs anywhere. */
	const char *huge = getenv("UIOMMU_BENCH_HUGE");
	bool use_huge = huge != NULL && strcmp(huge, "1") == 0;
	/* --in-memory: no hugepage files are left behind at exit, where
	 * they would hold pages other runs (huge_test.sh) need. */
	char *eal_argv[] = {
		argv[0], "-m", use_huge ? "1536" : "2048", "--no-pci",
		"--no-telemetry", "--file-prefix=uiommu_bench_net_iommu",
		"-l", "0-1", "--iova-mode=va", "--log-level=lib.eal:error",
		use_huge ? "--in-memory" : "--no-huge",
	};
	int rc;

	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_eal_iova_mode() != RTE_IOVA_VA || rte_lcore_count() < 2) {
		fprintf(stderr, "bench_net_iommu: needs IOVA as VA and 2 lcores\n");
		rte_eal_cleanup();
		return 1;
	}
	register_fwd_off();
	register_fwd("BM_fwd_direct", bm_fwd_direct);
	register_fwd("BM_fwd_smmu", bm_fwd_smmu);
	register_fwd("BM_fwd_vtd", bm_fwd_vtd);
	register_fwd("BM_pair_direct", bm_pair_direct);
	register_fwd("BM_pair_smmu", bm_pair_smmu);
	register_fwd("BM_pair_vtd", bm_pair_vtd);
	register_lcores("BM_fwd_lcores_off", bm_fwd_lcores_off);
	register_lcores("BM_fwd_lcores_smmu", bm_fwd_lcores_smmu);
	CHURN_MODES(CHURN_REGISTER)
	rc = ubench_main(argc, argv);
	fixtures_destroy();
	rte_eal_cleanup();
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the benchmark binaries share: a seedable generator, per-lcore
 * counters, and the cache-line round trip between two lcores that every
 * strict-invalidation benchmark is compared with.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "ubench.h"

/* The timed translation loops' shape, shared so results compare. */
#define ACCESS_LEN	64u		/* one cache line per translation */
#define BATCH		256u		/* translations per timer check */
#define BURST		32u		/* translations per bulk call */

/* splitmix64: small, seedable, and good enough to shuffle with. */
static uint64_t
rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
lcore_stats(struct uiommu_hw *hw, struct uiommu_lcore_stats *s)
{
	memset(s, 0, sizeof(*s));
	uiommu_hw_stats(hw, rte_lcore_id(), s);
}

/*
 * What a strict unmap waits on, at least: a cache line's round trip
 * between the main lcore and the translator's lcore. Main writes a count
 * on its line; the other lcore spins until it sees it and writes it back
 * on a line of its own; main spins until it sees that. A grace period
 * needs at least one such exchange, and what one costs depends on where
 * the two CPUs are: in a VM, on where the host runs them at the time, so
 * BM_unmap_map measures it next to its own timed loop too.
 */
struct ping_pong {
	uint64_t ping __rte_cache_aligned;	/* main writes */
	uint64_t pong __rte_cache_aligned;	/* the other lcore writes */
};

#define PING_STOP	UINT64_MAX

static int
pong_main(void *arg)
{
	struct ping_pong *pp = arg;
	uint64_t v = 0;

	do {
		uint64_t seen = v;

		/* Acquire/release: not needed for a bare count, but what a
		 * flag that publishes data costs; pairs with main's. */
		while ((v = __atomic_load_n(&pp->ping, __ATOMIC_ACQUIRE)) ==
		       seen)
			;
		__atomic_store_n(&pp->pong, v, __ATOMIC_RELEASE);
	} while (v != PING_STOP);
	return 0;
}

static __rte_always_inline void
ping(struct ping_pong *pp, uint64_t v)
{
	/* Pairs with pong_main()'s acquire load of ping. */
	__atomic_store_n(&pp->ping, v, __ATOMIC_RELEASE);
	/* Pairs with pong_main()'s release store of pong. */
	while (__atomic_load_n(&pp->pong, __ATOMIC_ACQUIRE) != v)
		;
}

/*
 * Mean round trip to @lcore, in ns, over @n exchanges (untimed by the
 * benchmark); -1 if the lcore cannot be launched.
 */
static double
round_trip_ns(unsigned int lcore, unsigned int n)
{
	struct ping_pong *pp;
	uint64_t t0, t1, v;

	pp = rte_zmalloc("bench_ping_pong", sizeof(*pp), RTE_CACHE_LINE_SIZE);
	if (pp == NULL)
		return -1;
	if (rte_eal_remote_launch(pong_main, pp, lcore) != 0) {
		rte_free(pp);
		return -1;
	}
	ping(pp, 1);		/* the other side is up */
	t0 = rte_get_timer_cycles();
	for (v = 2; v < (uint64_t)n + 2; v++)
		ping(pp, v);
	t1 = rte_get_timer_cycles();
	ping(pp, PING_STOP);
	rte_eal_wait_lcore(lcore);
	rte_free(pp);
	return (double)(t1 - t0) * 1e9 / (double)rte_get_timer_hz() / n;
}

/* The timed loop of single calls. Returns the number of translations. */
static __rte_noinline uint64_t
translate_loop(ubench_state *st, const struct uiommu_port *port,
	       const uint64_t *stream, uint32_t mask)
{
	uint64_t n = 0;
	uint32_t pos = 0, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		const uint64_t *iova = &stream[pos];

		for (i = 0; i < BATCH; i++)
			UBENCH_SINK(uiommu_translate(port, iova[i], ACCESS_LEN,
						     UIOMMU_ACCESS_READ));
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	return n;
}

/*
 * The timed loop of bursts: BATCH / BURST calls of uiommu_translate_bulk()
 * per timer check, each storing its VAs to one array that is kept live, as
 * a PMD's burst would fill its descriptors. Returns the number of
 * translations; adds the ones the calls reported done to @done.
 */
static __rte_noinline uint64_t
translate_bulk_loop(ubench_state *st, const struct uiommu_port *port,
		    const uint64_t *stream, uint32_t mask, uint64_t *done)
{
	uint32_t len[BURST];
	void *va[BURST];
	uint64_t n = 0, ok = 0;
	uint32_t pos = 0, b, i;

	for (i = 0; i < BURST; i++)
		len[i] = ACCESS_LEN;
	/* Lengths come from memory, as a burst's descriptors would give
	 * them: not a constant the compiler could fold. */
	UBENCH_SINK_MEM(len);
	while (ubench_keep_running_batch(st, BATCH)) {
		for (b = 0; b < BATCH; b += BURST) {
			ok += uiommu_translate_bulk(port, &stream[pos + b], len,
						    UIOMMU_ACCESS_READ, va,
						    BURST);
			UBENCH_SINK_MEM(va);
		}
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	*done += ok;
	return n;
}

/* BM_reference_round_trip: the round trip above, timed by the benchmark. */
static void
bm_reference_round_trip(ubench_state *st)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	struct ping_pong *pp;
	uint64_t n = 0;

	if (lcore >= RTE_MAX_LCORE) {
		ubench_skip_with_error(st, "no second lcore");
		return;
	}
	pp = rte_zmalloc("bench_ping_pong", sizeof(*pp), RTE_CACHE_LINE_SIZE);
	if (pp == NULL) {
		ubench_skip_with_error(st, "no memory");
		return;
	}
	if (rte_eal_remote_launch(pong_main, pp, lcore) != 0) {
		ubench_skip_with_error(st, "rte_eal_remote_launch failed");
		rte_free(pp);
		return;
	}
	while (ubench_keep_running(st))
		ping(pp, ++n);
	ping(pp, PING_STOP);
	rte_eal_wait_lcore(lcore);
	rte_free(pp);
	ubench_set_items_processed(st, (int64_t)n);
}

#endif /* BENCH_COMMON_H */

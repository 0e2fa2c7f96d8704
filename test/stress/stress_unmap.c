/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict unmap under traffic.
 *
 * One lcore (the main one, not online: it is the control plane) unmaps and
 * remaps IOVA pages, each time onto a different host page; another lcore
 * translates those IOVAs continuously. The property checked is the strict
 * contract: once uiommu_unmap() has returned, no translation that starts
 * afterwards may return the removed mapping.
 *
 * How it is observed: every IOVA slot s has a version. Host page (s, v % POOL)
 * holds the words {s, v} while it backs version v. After unmap of version v
 * returns, the writer publishes dead[s] = v (release). The translator loads
 * dead[s] (acquire) *before* translating; whatever it then gets must be of a
 * version newer than that. Reading {s, v'} with v' <= dead[s] is a stale
 * translation; reading another slot's page is a cross-mapping. Reuse of a
 * host page after POOL versions can only hide a violation, never invent one.
 *
 * With -d N the unmaps are deferred: N slots are unmapped with
 * uiommu_unmap_deferred() (or, with -L too, uiommu_unmap() in a LAZY
 * domain), then uiommu_domain_flush(); only then are the N versions
 * published dead. The contract checked is the flush's: once it returns, no
 * translation that starts afterwards returns a flushed mapping.
 *
 * With -p the reader is paused between bursts (uiommu_lcore_pause_lc()
 * and uiommu_lcore_resume_lc(), as a PMD's bursts are): the contract is
 * the same, and the reporting and draining around bursts is what is
 * under test. (Not resume's store-load fence: with it removed the race
 * window is a few store-buffer entries wide, and runs of this test did
 * not hit it.)
 *
 *   stress_unmap [EAL options] -- [-s seconds] [-b backend]
 *       [-m min_translations] [-d batch [-L]] [-p]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include <uiommu.h>
#include <uiommu_translate.h>

#define SLOTS		64
#define POOL		64
#define PAGE		4096u
#define BURST		32
#define IOVA_BASE	0x100000000ull

static struct uiommu_ctx *ctx;
static struct uiommu_port *port;
static uint8_t *pool;			/* SLOTS * POOL host pages */
static uint64_t dead[SLOTS];		/* newest unmapped version */
static volatile bool stop;
static const char *backend = "direct";
static unsigned int seconds = 5;
static uint64_t min_translations = 1000000;
static unsigned int batch;		/* -d: deferred unmaps per flush */
static bool lazy;			/* -L: a LAZY domain */
static bool pause_bursts;		/* -p: paused between bursts */

struct reader_result {
	uint64_t translations;
	uint64_t ok;
	uint64_t faults;
	uint64_t stale;
	uint64_t cross;
	int online_rc;
} __rte_cache_aligned;

static struct reader_result results[RTE_MAX_LCORE];

static inline uint64_t *
page_of(unsigned int slot, uint64_t version)
{
	return (uint64_t *)(pool + ((size_t)slot * POOL +
				    version % POOL) * PAGE);
}

static int
reader(void *arg)
{
	struct reader_result *r = &results[rte_lcore_id()];

	RTE_SET_USED(arg);
	r->online_rc = uiommu_lcore_online(ctx);
	if (r->online_rc != 0)
		return -1;
	if (pause_bursts)
		uiommu_lcore_pause_lc(uiommu_ctx_fast(ctx), rte_lcore_id());
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		if (pause_bursts)
			uiommu_lcore_resume_lc(uiommu_ctx_fast(ctx),
					       rte_lcore_id());
		for (unsigned int i = 0; i < BURST; i++) {
			unsigned int s = rte_rand_max(SLOTS);
			/* Pairs with the release store after unmap returned. */
			uint64_t d = __atomic_load_n(&dead[s], __ATOMIC_ACQUIRE);
			const uint64_t *va = uiommu_translate(port,
					IOVA_BASE + (uint64_t)s * PAGE,
					2 * sizeof(uint64_t),
					UIOMMU_ACCESS_READ);

			r->translations++;
			if (va == NULL) {
				r->faults++;
				continue;
			}
			if ((uint8_t *)va < pool || (uint8_t *)va >= pool +
			    (size_t)SLOTS * POOL * PAGE || va[0] != s)
				r->cross++;
			else if (va[1] <= d)
				r->stale++;
			else
				r->ok++;
		}
		if (pause_bursts)
			uiommu_lcore_pause_lc(uiommu_ctx_fast(ctx),
					      rte_lcore_id());
		else
			uiommu_lcore_quiescent(ctx);
	}
	if (pause_bursts)
		uiommu_lcore_resume_lc(uiommu_ctx_fast(ctx), rte_lcore_id());
	uiommu_lcore_offline(ctx);
	return 0;
}

static int
map_version(struct uiommu_domain *dom, unsigned int s, uint64_t v)
{
	uint64_t *page = page_of(s, v);

	/* The page is unmapped (its last version died POOL versions ago):
	 * nobody may be reading it. */
	page[0] = s;
	page[1] = v;
	return uiommu_map(dom, IOVA_BASE + (uint64_t)s * PAGE, page, PAGE,
			  UIOMMU_PROT_READ);
}

/*
 * Slot @s's mapping was unmapped and the unmap is complete: declare its
 * version dead for every translation that starts from here on, and map
 * the next version. 0 or -errno.
 */
static int
remap_next(struct uiommu_domain *dom, unsigned int s, uint64_t *version)
{
	__atomic_store_n(&dead[s], version[s], __ATOMIC_RELEASE);
	version[s]++;
	return map_version(dom, s, version[s]);
}

static int
parse_args(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "s:b:m:d:Lp")) != -1) {
		switch (opt) {
		case 's':
			seconds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			backend = optarg;
			break;
		case 'm':
			min_translations = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			batch = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'L':
			lazy = true;
			break;
		case 'p':
			pause_bursts = true;
			break;
		default:
			fprintf(stderr, "usage: stress_unmap [EAL] -- [-s sec] "
				"[-b backend] [-m min_translations] "
				"[-d batch [-L]] [-p]\n");
			return -1;
		}
	}
	if (batch > SLOTS || (lazy && batch == 0)) {
		fprintf(stderr, "stress_unmap: -d 1..%u; -L needs -d\n",
			SLOTS);
		return -1;
	}
	return 0;
}

/*
 * -d: unmap @batch consecutive slots from @first, deferred, flush, then
 * declare them dead and map their next versions. 0 or -errno.
 */
static int
unmap_deferred_batch(struct uiommu_domain *dom, unsigned int first,
		     uint64_t *version)
{
	unsigned int i, s;
	int ret;

	for (i = 0; i < batch; i++) {
		s = (first + i) % SLOTS;
		ret = lazy ? uiommu_unmap(dom, IOVA_BASE + (uint64_t)s * PAGE,
					  PAGE) :
			     uiommu_unmap_deferred(dom,
					IOVA_BASE + (uint64_t)s * PAGE, PAGE);
		if (ret != 0)
			return ret;
	}
	ret = uiommu_domain_flush(dom);
	if (ret != 0)
		return ret;
	for (i = 0; i < batch; i++) {
		ret = remap_next(dom, (first + i) % SLOTS, version);
		if (ret != 0)
			return ret;
	}
	return 0;
}


int
main(int argc, char **argv)
{
	uint64_t version[SLOTS], unmaps = 0, deadline;
	struct reader_result total = { 0 };
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	struct uiommu_hw *hw;
	unsigned int s, lcore;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0 || parse_args(argc - ret, argv + ret) != 0)
		return 2;
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "stress_unmap: needs 2 lcores\n");
		return 2;
	}
	printf("stress_unmap: backend %s, %u s, %s unmaps, seed from rte_rand\n",
	       backend, seconds, batch == 0 ? "strict" :
	       lazy ? "lazy-domain" : "deferred");
	ctx = uiommu_ctx_create(NULL);
	hw = ctx ? uiommu_hw_create(ctx, backend, NULL) : NULL;
	dev = hw ? uiommu_dev_create(hw, 7, NULL) : NULL;
	dom = hw ? uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING,
			&(struct uiommu_domain_params){
				.inv_mode = lazy ? UIOMMU_INV_LAZY :
						   UIOMMU_INV_STRICT,
				/* never flushed by expiry before -d slots */
				.fq_timeout_us = 1000000,
			}) : NULL;
	pool = rte_malloc(NULL, (size_t)SLOTS * POOL * PAGE, PAGE);
	if (dev == NULL || dom == NULL || pool == NULL) {
		fprintf(stderr, "setup: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	for (s = 0; s < SLOTS; s++) {
		version[s] = 1;
		if (map_version(dom, s, 1) != 0)
			return 2;
	}
	port = uiommu_attach(dev, dom);
	if (port == NULL)
		return 2;

	rte_eal_mp_remote_launch(reader, NULL, SKIP_MAIN);
	deadline = rte_get_timer_cycles() + seconds * rte_get_timer_hz();
	while (rte_get_timer_cycles() < deadline) {
		s = rte_rand_max(SLOTS);
		if (batch != 0) {
			ret = unmap_deferred_batch(dom, s, version);
			if (ret != 0) {
				fprintf(stderr, "deferred: %s\n",
					strerror(-ret));
				break;
			}
			unmaps += batch;
			continue;
		}
		ret = uiommu_unmap(dom, IOVA_BASE + (uint64_t)s * PAGE, PAGE);
		if (ret != 0) {
			fprintf(stderr, "unmap: %s\n", strerror(-ret));
			break;
		}
		ret = remap_next(dom, s, version);
		if (ret != 0) {
			fprintf(stderr, "map: %s\n", strerror(-ret));
			break;
		}
		unmaps++;
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();

	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct reader_result *r = &results[lcore];

		if (r->online_rc != 0)
			ret = -1;
		total.translations += r->translations;
		total.ok += r->ok;
		total.faults += r->faults;
		total.stale += r->stale;
		total.cross += r->cross;
	}
	printf("stress_unmap: %" PRIu64 " unmaps, %" PRIu64
	       " translations (%" PRIu64 " ok, %" PRIu64 " faults in the "
	       "unmapped window), %" PRIu64 " stale, %" PRIu64 " cross\n",
	       unmaps, total.translations, total.ok, total.faults,
	       total.stale, total.cross);
	uiommu_ctx_destroy(ctx);
	rte_free(pool);
	rte_eal_cleanup();
	if (ret != 0 || total.stale != 0 || total.cross != 0 ||
	    total.translations < min_translations || unmaps < 1000) {
		printf("stress_unmap: FAIL\n");
		return 1;
	}
	printf("stress_unmap: PASS\n");
	return 0;
}

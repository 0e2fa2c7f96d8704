/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmarks of the uiommu fast path and of the control-plane calls that
 * disturb it, each next to a reference loop in this binary, so that what
 * the results say is a ratio:
 *
 *   BM_translate_hit_4k/pages:N        IOTLB hit, N 4 KiB pages, random order
 *   BM_translate_hit_bulk_4k/pages:N     ... through uiommu_translate_bulk(),
 *                                      bursts of BURST; items: translations
 *   BM_reference_direct_mapped/pages:N   ... a direct-mapped array lookup
 *   BM_reference_direct_mapped_bulk/pages:N  ... the same, burst-shaped:
 *                                      IOVAs in, VAs out to an array
 *   BM_translate_hit_2m/pages:64       IOTLB hit on 2 MiB pages
 *   BM_translate_hit_bulk_2m/pages:64
 *   BM_reference_direct_mapped_2m/pages:64
 *   BM_reference_direct_mapped_bulk_2m/pages:64
 *   BM_translate_miss_4k/pages:4096    2-entry IOTLB: probe, walk, fill;
 *                                      the tables (8 leaf tables) stay in L1/L2
 *   BM_translate_miss_bulk_4k/pages:4096 ... through uiommu_translate_bulk()
 *   BM_reference_lpae_walk/pages:4096    ... a plain 4-level LPAE walk
 *   BM_translate_miss_cold/pages:N/stride_kib:S
 *                                      the same with N pages S KiB apart, so
 *                                      that the walks read cold tables
 *   BM_translate_miss_bulk_cold/pages:N/stride_kib:S
 *   BM_reference_lpae_walk_cold/pages:N/stride_kib:S
 *   BM_translate_miss_4k_chained, BM_reference_lpae_walk_chained,
 *   BM_translate_miss_cold_chained, BM_reference_lpae_walk_cold_chained:
 *                                      the same, each IOVA made to depend on
 *                                      the previous result: latency, where
 *                                      the others let lookups overlap
 *   BM_unmap_map_4k/translators:T      strict unmap + map of one page while
 *                                      T other lcores translate (0 or 1);
 *                                      with 1, counters round_trip_ns_*:
 *                                      see BM_reference_round_trip
 *   BM_reference_lpae_unmap_map_4k       ... walk to the leaf, store; twice
 *   BM_unmap_map_2m/translators:T, BM_reference_lpae_unmap_map_2m
 *   BM_reference_round_trip/real_time  a cache line's round trip between
 *                                      the two lcores: what a strict unmap
 *                                      with a translator waits on, at least
 *   BM_translate_hit_scaling/pages:4096/real_time/threads:1, :2
 *   BM_translate_hit_bulk_scaling/pages:4096/real_time/threads:1, :2
 *
 * Every translate loop reads IOVAs from one pre-shuffled stream (seeded,
 * the seed is printed and in the JSON context) and keeps each result live
 * with UBENCH_SINK (a burst: stores it to an array, UBENCH_SINK_MEM), so
 * the loops under comparison do the same work around the lookup. Lookups
 * are independent: these are throughput numbers (items_per_second), as a
 * burst of descriptors would see. The timed loops are functions of their
 * own (*_loop, never inlined), so that callgrind can count their
 * instructions: test/bench/callgrind.sh.
 *
 *   bench_translate [--benchmark_* options]    (test/bench/run.sh: + ratios)
 *
 * EAL runs with fixed arguments (no hugepages, lcores 0-1); the command
 * line is Google Benchmark's. UIOMMU_BENCH_SEED overrides the seed;
 * UIOMMU_BENCH_COLD_PAGES (a power of two, default 16384) the number of
 * pages of the cold benchmarks with a leaf table per page.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <uiommu.h>

#include "iopt_arm_lpae.h"	/* internal: the reference walk's encoding */
#include "bench_common.h"
#include "ubench.h"

#define PGSHIFT_4K	12u
#define PGSHIFT_2M	21u
#define IOVA_BASE	0x100000000ull	/* 4 GiB: L0 index 0, L1 index 4 */
#define STREAM_LEN_MIN	(1u << 17)	/* IOVAs per stream: 1 MiB or more */
#define QUIESCE_EVERY	32u		/* translator burst */
#define SID		1u
#define PROT_RW		(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)

static uint64_t seed = 0x75696f6d6d75ull;	/* "uiommu" */
static uint32_t cold_pages = 16384;	/* pages 2 MiB apart, see main() */

/* ------------------------------------------------------------ helpers -- */


/*
 * Host memory that mappings point at, @len bytes aligned to @align. Never
 * touched: a translation only computes an address, so reserving address
 * space is enough, and 256 MiB of it costs nothing.
 */
struct host_mem {
	void *map;
	size_t map_len;
	uint8_t *base;
};

static int
host_mem_alloc(struct host_mem *hm, size_t len, size_t align)
{
	hm->map_len = len + align;
	hm->map = mmap(NULL, hm->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hm->map == MAP_FAILED)
		return -errno;
	hm->base = (uint8_t *)RTE_ALIGN_CEIL((uintptr_t)hm->map, align);
	return 0;
}

static void
host_mem_free(struct host_mem *hm)
{
	if (hm->map != NULL && hm->map != MAP_FAILED)
		munmap(hm->map, hm->map_len);
	hm->map = NULL;
}

/*
 * A malloc heap of its own: an rte_malloc external heap over anonymous
 * memory (4 KiB pages, as EAL's --no-huge memory). The cold fixtures, and
 * their reference tables, allocate from one each, because a table page is
 * an rte_zmalloc() aligned to its size: each leaves a free fragment that
 * every later allocation from the same heap scans. In one shared heap the
 * set-up of each cold fixture would pay for the fragments of all before.
 */
struct ext_heap {
	char name[32];
	void *mem;
	size_t len;
	int socket_id;		/* SOCKET_ID_ANY: none, the EAL heaps */
};

static int
ext_heap_create(struct ext_heap *h, const char *name, size_t len)
{
	const size_t pgsz = 4096;

	memset(h, 0, sizeof(*h));
	h->socket_id = SOCKET_ID_ANY;
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->len = RTE_ALIGN_CEIL(len, pgsz);
	h->mem = mmap(NULL, h->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->mem == MAP_FAILED) {
		h->mem = NULL;
		return -errno;
	}
	if (rte_malloc_heap_create(h->name) != 0)
		goto err_unmap;
	if (rte_malloc_heap_memory_add(h->name, h->mem, h->len, NULL, 0,
				       pgsz) != 0)
		goto err_destroy;
	h->socket_id = rte_malloc_heap_get_socket(h->name);
	return 0;

err_destroy:
	rte_malloc_heap_destroy(h->name);
err_unmap:
	munmap(h->mem, h->len);
	h->mem = NULL;
	return -rte_errno;
}

/* Everything allocated from @h must have been freed. */
static void
ext_heap_destroy(struct ext_heap *h)
{
	if (h->mem == NULL)
		return;
	/* A heap that still holds something keeps its memory (a leak in
	 * the code that allocated there; ASan builds would say where). */
	if (rte_malloc_heap_memory_remove(h->name, h->mem, h->len) != 0 ||
	    rte_malloc_heap_destroy(h->name) != 0) {
		fprintf(stderr, "bench_translate: heap %s: %s\n", h->name,
			rte_strerror(rte_errno));
		return;
	}
	munmap(h->mem, h->len);
	h->mem = NULL;
}

/*
 * Benchmark thread t > 0 is a new thread of Google Benchmark, on the main
 * lcore's CPU (it inherited that affinity). Put it on the CPU of the t-th
 * EAL lcore, so that two threads are two CPUs, then make it an lcore.
 * Thread 0 is the main lcore already. Returns whether it registered.
 */
static int
bench_lcore_enter(ubench_state *st, bool *registered)
{
	int t = ubench_thread_index(st);
	unsigned int l;
	rte_cpuset_t cpus;

	*registered = false;
	if (rte_lcore_id() != LCORE_ID_ANY)
		return 0;
	RTE_LCORE_FOREACH(l) {
		if (t-- == 0) {
			cpus = rte_lcore_cpuset(l);
			pthread_setaffinity_np(pthread_self(), sizeof(cpus),
					       &cpus);
			break;
		}
	}
	if (rte_thread_register() != 0)
		return -rte_errno;
	*registered = true;
	return 0;
}

static void
bench_lcore_leave(bool registered)
{
	if (registered)
		rte_thread_unregister();
}


/* ----------------------------------------------------------- fixtures -- */

/*
 * A domain with @npages pages of 1 << @pgshift bytes, mapped one by one,
 * page i at IOVA_BASE + (i << @iova_shift) to host page i % @host_pages,
 * attached for StreamID SID; and a stream of IOVAs into them: shuffles of
 * the pages, each access at a random cache line of its page.
 *
 * The hot fixtures map consecutive IOVAs to as many consecutive host pages.
 * The cold ones spread the pages over a large IOVA range so that the walks
 * read many table pages, and point them all at a few host pages: only
 * translation is measured, and a host page may be mapped at many IOVAs.
 *
 * Built once by the first benchmark thread that needs it (fixtures_lock),
 * then only read; torn down after every benchmark has run. Benchmarks bring
 * their lcores online and offline themselves, so between runs no lcore is
 * online in a fixture's ctx.
 */
struct fx_cfg {
	unsigned int pgshift;
	unsigned int iova_shift;	/* IOVA distance between pages */
	uint32_t npages;		/* a power of two */
	uint32_t host_pages;		/* distinct host pages */
	uint32_t iotlb_entries;		/* 4 KiB and 2 MiB: ctx params */
};

struct xlate_fixture {
	struct fx_cfg cfg;
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct ext_heap heap;		/* cold: the ctx's and its tables' */
	struct host_mem host;
	uint64_t *stream;
	uint32_t stream_mask;		/* IOVAs in the stream - 1 */
	/* The reference walk's table of the same mappings, built by the
	 * first run that needs it: building one is as slow as mapping. */
	struct ref_lpae *ref_walk;
};

static void ref_lpae_destroy(struct ref_lpae *pt);

#define FIXTURES_MAX	16
static struct xlate_fixture *fixtures[FIXTURES_MAX];
static pthread_mutex_t fixtures_lock = PTHREAD_MUTEX_INITIALIZER;

/* The hot layout: consecutive pages, each its own host page. */
static inline struct fx_cfg
fx_cfg_hot(unsigned int pgshift, uint32_t npages, uint32_t iotlb_entries)
{
	return (struct fx_cfg){
		.pgshift = pgshift, .iova_shift = pgshift, .npages = npages,
		.host_pages = npages, .iotlb_entries = iotlb_entries,
	};
}

static inline bool
fx_is_cold(const struct fx_cfg *cfg)
{
	return cfg->iova_shift != cfg->pgshift;
}

/*
 * Heap that the 4 KiB tables mapping @cfg's pages take, with room for the
 * rest of a ctx: an allocation aligned to its size, 4 KiB, and the header
 * before it fill two pages.
 */
static size_t
fx_tables_heap_len(const struct fx_cfg *cfg)
{
	uint64_t span = (uint64_t)cfg->npages << cfg->iova_shift;
	uint64_t tables = (span >> 21) + (span >> 30) + (span >> 39) + 4;

	return tables * 2 * 4096 + (16u << 20);
}

static inline uint64_t
fx_iova(const struct fx_cfg *cfg, uint32_t page)
{
	return IOVA_BASE + ((uint64_t)page << cfg->iova_shift);
}

static inline uint8_t *
fx_va(const struct xlate_fixture *fx, uint32_t page)
{
	return fx->host.base +
	       ((size_t)(page % fx->cfg.host_pages) << fx->cfg.pgshift);
}

/*
 * Shuffles of the pages, one after the other, at least STREAM_LEN_MIN
 * IOVAs and every page at least once. Sets @mask to the length - 1.
 */
static uint64_t *
stream_build(const struct fx_cfg *cfg, uint32_t *mask)
{
	uint32_t len = RTE_MAX(STREAM_LEN_MIN, cfg->npages);
	uint64_t *stream = rte_malloc("bench_stream", sizeof(*stream) * len, 0);
	uint32_t *order = malloc(sizeof(*order) * cfg->npages);
	uint32_t lines = (1u << cfg->pgshift) / ACCESS_LEN;
	uint64_t rng = seed ^ ((uint64_t)cfg->pgshift << 32 | cfg->npages) ^
		       ((uint64_t)cfg->iova_shift << 48);
	uint32_t i, j, pos;

	if (stream == NULL || order == NULL)
		goto err_free;
	for (i = 0; i < cfg->npages; i++)
		order[i] = i;
	for (pos = 0; pos < len; pos += cfg->npages) {
		/* Fisher-Yates, a new permutation per pass. */
		for (i = cfg->npages - 1; i > 0; i--) {
			uint32_t tmp;

			j = rng_next(&rng) % (i + 1);
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		for (i = 0; i < cfg->npages; i++)
			stream[pos + i] = fx_iova(cfg, order[i]) +
				(rng_next(&rng) % lines) * ACCESS_LEN;
	}
	free(order);
	*mask = len - 1;
	return stream;

err_free:
	free(order);
	rte_free(stream);
	return NULL;
}

static void
fixture_destroy(struct xlate_fixture *fx)
{
	if (fx->ctx != NULL)
		uiommu_ctx_destroy(fx->ctx);
	ref_lpae_destroy(fx->ref_walk);
	ext_heap_destroy(&fx->heap);
	host_mem_free(&fx->host);
	rte_free(fx->stream);
	free(fx);
}

static int
fixture_create(const struct fx_cfg *cfg, struct xlate_fixture **out,
	       const char **step)
{
	struct uiommu_ctx_params cp = {
		.socket_id = SOCKET_ID_ANY,
		.iotlb_entries = cfg->iotlb_entries,
		.iotlb_large_entries = cfg->iotlb_entries,
	};
	struct xlate_fixture *fx = calloc(1, sizeof(*fx));
	uint64_t pgsize = 1ull << cfg->pgshift;
	struct uiommu_dev *dev;
	uint32_t i;
	int rc;

	*step = "alloc";
	if (fx == NULL)
		return -ENOMEM;
	fx->cfg = *cfg;
	/* The 2 MiB table defaults to 4096 entries; a bigger one than the
	 * 4 KiB table is never what a caller means. */
	if (cp.iotlb_large_entries > 4096)
		cp.iotlb_large_entries = 4096;
	rc = host_mem_alloc(&fx->host, (size_t)cfg->host_pages * pgsize,
			    pgsize);
	if (rc != 0)
		goto err;
	fx->stream = stream_build(cfg, &fx->stream_mask);
	if (fx->stream == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	if (fx_is_cold(cfg)) {
		static unsigned int n_heaps;
		char name[32];

		*step = "ext_heap_create";
		snprintf(name, sizeof(name), "bench_fx%u", n_heaps++);
		rc = ext_heap_create(&fx->heap, name, fx_tables_heap_len(cfg));
		if (rc != 0)
			goto err;
		cp.socket_id = fx->heap.socket_id;
	}
	*step = "uiommu_ctx_create";
	fx->ctx = uiommu_ctx_create(&cp);
	if (fx->ctx == NULL)
		goto err_errno;
	*step = "uiommu_hw_create";
	fx->hw = uiommu_hw_create(fx->ctx, "direct", NULL);
	if (fx->hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	dev = uiommu_dev_create(fx->hw, SID, NULL);
	if (dev == NULL)
		goto err_errno;
	*step = "uiommu_domain_create";
	fx->dom = uiommu_domain_create(fx->hw, UIOMMU_DOMAIN_PAGING, NULL);
	if (fx->dom == NULL)
		goto err_errno;
	*step = "uiommu_map";
	/* One call per page: the page size is the mapping's, not the
	 * largest that the whole range would allow. */
	for (i = 0; i < cfg->npages; i++) {
		rc = uiommu_map(fx->dom, fx_iova(cfg, i), fx_va(fx, i), pgsize,
				PROT_RW);
		if (rc != 0)
			goto err;
	}
	*step = "uiommu_attach";
	fx->port = uiommu_attach(dev, fx->dom);
	if (fx->port == NULL)
		goto err_errno;
	*out = fx;
	return 0;

err_errno:
	rc = -rte_errno;
err:
	fixture_destroy(fx);
	return rc;
}

static struct xlate_fixture *
fixture_get(ubench_state *st, const struct fx_cfg *cfg)
{
	struct xlate_fixture *fx = NULL;
	const char *step = NULL;
	unsigned int i;
	int rc = -ENOSPC;

	pthread_mutex_lock(&fixtures_lock);
	for (i = 0; i < FIXTURES_MAX && fixtures[i] != NULL; i++) {
		/* struct fx_cfg has no padding: five 32-bit fields. */
		if (memcmp(&fixtures[i]->cfg, cfg, sizeof(*cfg)) == 0) {
			fx = fixtures[i];
			break;
		}
	}
	if (fx == NULL && i < FIXTURES_MAX) {
		rc = fixture_create(cfg, &fx, &step);
		if (rc == 0)
			fixtures[i] = fx;
	}
	pthread_mutex_unlock(&fixtures_lock);
	if (fx == NULL)
		ubench_skip_with_error(st, "fixture: %s: %s",
				       step ? step : "table full",
				       strerror(-rc));
	return fx;
}

static struct xlate_fixture *
fixture_get_hot(ubench_state *st, unsigned int pgshift, uint32_t npages,
		uint32_t iotlb_entries)
{
	const struct fx_cfg cfg = fx_cfg_hot(pgshift, npages, iotlb_entries);

	return fixture_get(st, &cfg);
}

static void
fixtures_destroy(void)
{
	unsigned int i;

	for (i = 0; i < FIXTURES_MAX && fixtures[i] != NULL; i++) {
		fixture_destroy(fixtures[i]);
		fixtures[i] = NULL;
	}
}

/* --------------------------------------------------------- references -- */

/*
 * The reference for a hit: a direct-mapped array of {key, va}, indexed by
 * the page number's low bits, one compare. As small as a cache of these
 * pages can be, in the same kind of memory (rte_malloc) as the IOTLB.
 */
struct ref_dm_entry {
	uint64_t key;		/* page number; IOVA_BASE keeps it non-zero */
	uint64_t va;
};

struct ref_dm {
	struct ref_dm_entry *slot;
	uint64_t mask;
};

static int
ref_dm_build(struct ref_dm *dm, const struct xlate_fixture *fx)
{
	uint32_t n = fx->cfg.npages;	/* a power of two */
	uint32_t i;

	dm->slot = rte_zmalloc("bench_ref_dm", sizeof(*dm->slot) * n,
			       RTE_CACHE_LINE_SIZE);
	if (dm->slot == NULL)
		return -ENOMEM;
	dm->mask = n - 1;
	for (i = 0; i < n; i++) {
		uint64_t pfn = fx_iova(&fx->cfg, i) >> fx->cfg.pgshift;

		dm->slot[pfn & dm->mask] = (struct ref_dm_entry){
			.key = pfn, .va = (uintptr_t)fx_va(fx, i),
		};
	}
	return 0;
}

static __rte_always_inline void *
ref_dm_lookup(const struct ref_dm *dm, uint64_t iova, unsigned int shift)
{
	uint64_t pfn = iova >> shift;
	const struct ref_dm_entry *e = &dm->slot[pfn & dm->mask];

	if (likely(e->key == pfn))
		return (void *)(uintptr_t)(e->va +
					   (iova & ((1ull << shift) - 1)));
	return NULL;
}

/*
 * The reference for a miss: the walk of a 4-level VMSAv8-64 table (4 KiB
 * granule, 48-bit input) that maps the same pages to the same host
 * addresses, built here from the library's encoding macros. The walk checks
 * what an architectural walk must (descriptor type, AF) and no more: no
 * device lookup, no permission decode, no fill. Its tables are allocated
 * as the library allocates its own (rte_zmalloc, one granule, aligned), so
 * that a cold walk reads memory laid out as the library's is.
 */
struct ref_lpae {
	uint64_t *root;
	uint32_t n_tables;
	uint32_t max_tables;
	uint64_t **tables;	/* every table, to free */
	struct ext_heap heap;	/* cold: where the tables are */
};

static void
ref_lpae_init(struct ref_lpae *pt)
{
	memset(pt, 0, sizeof(*pt));
	pt->heap.socket_id = SOCKET_ID_ANY;
}

static uint64_t *
ref_lpae_table(struct ref_lpae *pt)
{
	uint64_t *t;

	if (pt->n_tables == pt->max_tables) {
		uint32_t max = RTE_MAX(2 * pt->max_tables, 64u);
		uint64_t **tables = realloc(pt->tables,
					    sizeof(*tables) * max);

		if (tables == NULL)
			return NULL;
		pt->tables = tables;
		pt->max_tables = max;
	}
	t = rte_zmalloc_socket("bench_ref_lpae", ARM_LPAE_GRANULE,
			       ARM_LPAE_GRANULE, pt->heap.socket_id);
	if (t != NULL)
		pt->tables[pt->n_tables++] = t;
	return t;
}

/* A descriptor: next table or output address @addr, and @bits. */
static uint64_t
ref_lpae_desc(const void *addr, uint64_t bits)
{
	return FIELD_PREP(ARM_LPAE_PTE_ADDR,
			  (uintptr_t)addr >> ARM_LPAE_GRANULE_SHIFT) | bits;
}

static int
ref_lpae_map_4k(struct ref_lpae *pt, uint64_t iova, const void *va)
{
	uint64_t *table = pt->root;
	unsigned int level;

	for (level = 0; level < ARM_LPAE_MAX_LEVELS - 1; level++) {
		uint64_t *pte = &table[arm_lpae_pte_index(iova, level)];

		if (*pte == 0) {
			uint64_t *next = ref_lpae_table(pt);

			if (next == NULL)
				return -ENOMEM;
			*pte = ref_lpae_desc(next, ARM_LPAE_PTE_TYPE_TABLE);
		}
		table = (uint64_t *)(uintptr_t)(*pte & ARM_LPAE_PTE_ADDR);
	}
	table[arm_lpae_pte_index(iova, level)] =
		ref_lpae_desc(va, ARM_LPAE_PTE_AF | ARM_LPAE_PTE_TYPE_PAGE);
	return 0;
}

static void
ref_lpae_free(struct ref_lpae *pt)
{
	while (pt->n_tables > 0)
		rte_free(pt->tables[--pt->n_tables]);
	free(pt->tables);
	ext_heap_destroy(&pt->heap);
	ref_lpae_init(pt);
}

/* The reference table of @fx's mappings, or NULL (no memory). */
static struct ref_lpae *
ref_lpae_create(const struct xlate_fixture *fx)
{
	struct ref_lpae *pt = malloc(sizeof(*pt));
	static unsigned int n_heaps;
	char name[32];
	uint32_t i;

	if (pt == NULL)
		return NULL;
	ref_lpae_init(pt);
	if (fx_is_cold(&fx->cfg)) {
		/* Tables as the fixture's: in a heap of their own. */
		snprintf(name, sizeof(name), "bench_ref%u", n_heaps++);
		if (ext_heap_create(&pt->heap, name,
				    fx_tables_heap_len(&fx->cfg)) != 0)
			goto err_free;
	}
	pt->root = ref_lpae_table(pt);
	if (pt->root == NULL)
		goto err_free;
	for (i = 0; i < fx->cfg.npages; i++)
		if (ref_lpae_map_4k(pt, fx_iova(&fx->cfg, i),
				    fx_va(fx, i)) != 0)
			goto err_free;
	return pt;

err_free:
	ref_lpae_destroy(pt);
	return NULL;
}

static void
ref_lpae_destroy(struct ref_lpae *pt)
{
	if (pt == NULL)
		return;
	ref_lpae_free(pt);
	free(pt);
}

static __rte_always_inline void *
ref_lpae_walk(const uint64_t *root, uint64_t iova)
{
	const uint64_t *table = root;
	unsigned int level;

	for (level = 0;; level++) {
		uint64_t pte = table[arm_lpae_pte_index(iova, level)];
		uint64_t mask;

		if (arm_lpae_pte_is_table(pte, level)) {
			table = (const uint64_t *)(uintptr_t)
				(pte & ARM_LPAE_PTE_ADDR);
			continue;
		}
		if (!arm_lpae_pte_is_leaf(pte, level) ||
		    !(pte & ARM_LPAE_PTE_AF))
			return NULL;
		mask = (1ull << arm_lpae_level_shift(level)) - 1;
		return (void *)(uintptr_t)((pte & ARM_LPAE_PTE_ADDR & ~mask) +
					   (iova & mask));
	}
}

/* ------------------------------------------------------- translations -- */

/*
 * Translate every page once through @port and check the address: fills the
 * IOTLB (or, with a tiny one, just checks). Returns the failing page + 1.
 */
static uint32_t
translate_warm(const struct xlate_fixture *fx)
{
	uint32_t i;

	for (i = 0; i < fx->cfg.npages; i++) {
		uint64_t off = (i * ACCESS_LEN) % (1ull << fx->cfg.pgshift);
		uint64_t iova = fx_iova(&fx->cfg, i) + off;
		void *va = uiommu_translate(fx->port, iova, ACCESS_LEN,
					    UIOMMU_ACCESS_READ);

		if (va != fx_va(fx, i) + off)
			return i + 1;
	}
	return 0;
}

/*
 * 0, as a value that depends on @va: its top bit, which a user-space
 * address has clear, hidden from the compiler (that can prove it clear in
 * what ref_lpae_walk() returns, and drop the dependency).
 */
static __rte_always_inline uint64_t
chain_dep(const void *va)
{
	uint64_t x = (uintptr_t)va;

	__asm__("" : "+r"(x));
	return x >> 63;
}

/*
 * The same, each IOVA made to depend on the previous translation (plus
 * chain_dep()). A chain of latencies, where translate_loop lets
 * independent ones overlap; the difference says how much of a loop's speed
 * is that overlap.
 */
static __rte_noinline uint64_t
translate_chained_loop(ubench_state *st, const struct uiommu_port *port,
		       const uint64_t *stream, uint32_t mask)
{
	void *va = NULL;
	uint64_t n = 0;
	uint32_t pos = 0, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		const uint64_t *iova = &stream[pos];

		for (i = 0; i < BATCH; i++)
			va = uiommu_translate(port, iova[i] + chain_dep(va),
					      ACCESS_LEN, UIOMMU_ACCESS_READ);
		UBENCH_SINK(va);
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	return n;
}

/*
 * Translate hits, one call each or in bursts: online, fill the IOTLB with
 * the working set, time the stream, then check (untimed) that every timed
 * translation was a hit and returned an address.
 */
static void
bm_translate_hit(ubench_state *st, unsigned int pgshift, bool bulk)
{
	uint32_t npages = (uint32_t)ubench_range(st, 0);
	struct uiommu_lcore_stats before, after;
	struct xlate_fixture *fx;
	uint64_t n, done = 0;
	bool registered;
	uint32_t bad;
	int rc;

	rc = bench_lcore_enter(st, &registered);
	if (rc != 0) {
		ubench_skip_with_error(st, "rte_thread_register: %s",
				       strerror(-rc));
		return;
	}
	fx = fixture_get_hot(st, pgshift, npages, 0);
	if (fx == NULL)
		goto out_leave;
	rc = uiommu_lcore_online(fx->ctx);
	if (rc != 0) {
		ubench_skip_with_error(st, "uiommu_lcore_online: %s",
				       strerror(-rc));
		goto out_leave;
	}
	bad = translate_warm(fx);
	if (bad != 0) {
		ubench_skip_with_error(st, "page %u: wrong translation",
				       bad - 1);
		goto out_offline;
	}
	lcore_stats(fx->hw, &before);
	if (bulk)
		n = translate_bulk_loop(st, fx->port, fx->stream,
					fx->stream_mask, &done);
	else
		n = done = translate_loop(st, fx->port, fx->stream,
					  fx->stream_mask);
	lcore_stats(fx->hw, &after);
	if (after.hits - before.hits != n || after.misses != before.misses ||
	    done != n)
		ubench_skip_with_error(st, "%" PRIu64 " translations: %" PRIu64
				       " hits, %" PRIu64 " misses, %" PRIu64
				       " done", n, after.hits - before.hits,
				       after.misses - before.misses, done);
	ubench_set_items_processed(st, (int64_t)n);

out_offline:
	uiommu_lcore_offline(fx->ctx);
out_leave:
	bench_lcore_leave(registered);
}

static void
bm_translate_hit_4k(ubench_state *st)
{
	bm_translate_hit(st, PGSHIFT_4K, false);
}

static void
bm_translate_hit_2m(ubench_state *st)
{
	bm_translate_hit(st, PGSHIFT_2M, false);
}

static void
bm_translate_hit_bulk_4k(ubench_state *st)
{
	bm_translate_hit(st, PGSHIFT_4K, true);
}

static void
bm_translate_hit_bulk_2m(ubench_state *st)
{
	bm_translate_hit(st, PGSHIFT_2M, true);
}

/*
 * The same stream through a ref_dm, one lookup at a time or burst-shaped
 * (BURST lookups storing to an array kept live, as translate_bulk_loop).
 * The shift is a constant in each loop, as the IOTLB's is: one loop
 * function per page size.
 */
static __rte_always_inline uint64_t
ref_dm_loop(ubench_state *st, const struct ref_dm *dm,
	    const uint64_t *stream, uint32_t mask, unsigned int pgshift)
{
	uint64_t n = 0;
	uint32_t pos = 0, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		const uint64_t *iova = &stream[pos];

		for (i = 0; i < BATCH; i++)
			UBENCH_SINK(ref_dm_lookup(dm, iova[i], pgshift));
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	return n;
}

static __rte_always_inline uint64_t
ref_dm_bulk_loop(ubench_state *st, const struct ref_dm *dm,
		 const uint64_t *stream, uint32_t mask, unsigned int pgshift,
		 uint64_t *done)
{
	void *va[BURST];
	uint64_t n = 0, ok = 0;
	uint32_t pos = 0, b, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		for (b = 0; b < BATCH; b += BURST) {
			const uint64_t *iova = &stream[pos + b];

			for (i = 0; i < BURST; i++) {
				va[i] = ref_dm_lookup(dm, iova[i], pgshift);
				ok += va[i] != NULL;
			}
			UBENCH_SINK_MEM(va);
		}
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	*done += ok;
	return n;
}

static __rte_noinline uint64_t
ref_dm_loop_4k(ubench_state *st, const struct ref_dm *dm,
	       const uint64_t *stream, uint32_t mask)
{
	return ref_dm_loop(st, dm, stream, mask, PGSHIFT_4K);
}

static __rte_noinline uint64_t
ref_dm_loop_2m(ubench_state *st, const struct ref_dm *dm,
	       const uint64_t *stream, uint32_t mask)
{
	return ref_dm_loop(st, dm, stream, mask, PGSHIFT_2M);
}

static __rte_noinline uint64_t
ref_dm_bulk_loop_4k(ubench_state *st, const struct ref_dm *dm,
		    const uint64_t *stream, uint32_t mask, uint64_t *done)
{
	return ref_dm_bulk_loop(st, dm, stream, mask, PGSHIFT_4K, done);
}

static __rte_noinline uint64_t
ref_dm_bulk_loop_2m(ubench_state *st, const struct ref_dm *dm,
		    const uint64_t *stream, uint32_t mask, uint64_t *done)
{
	return ref_dm_bulk_loop(st, dm, stream, mask, PGSHIFT_2M, done);
}

static void
bm_reference_direct_mapped(ubench_state *st, unsigned int pgshift, bool bulk)
{
	uint32_t npages = (uint32_t)ubench_range(st, 0);
	struct xlate_fixture *fx = fixture_get_hot(st, pgshift, npages, 0);
	uint64_t n, done = 0;
	struct ref_dm dm;
	uint32_t i;

	if (fx == NULL)
		return;
	if (ref_dm_build(&dm, fx) != 0) {
		ubench_skip_with_error(st, "ref_dm_build: no memory");
		return;
	}
	for (i = 0; i < npages; i++) {
		void *va = ref_dm_lookup(&dm, fx_iova(&fx->cfg, i), pgshift);

		if (va != fx_va(fx, i)) {
			ubench_skip_with_error(st, "page %u: wrong lookup", i);
			goto out;
		}
	}
	if (!bulk)
		n = done = pgshift == PGSHIFT_4K ?
			ref_dm_loop_4k(st, &dm, fx->stream, fx->stream_mask) :
			ref_dm_loop_2m(st, &dm, fx->stream, fx->stream_mask);
	else if (pgshift == PGSHIFT_4K)
		n = ref_dm_bulk_loop_4k(st, &dm, fx->stream, fx->stream_mask,
					&done);
	else
		n = ref_dm_bulk_loop_2m(st, &dm, fx->stream, fx->stream_mask,
					&done);
	if (done != n)
		ubench_skip_with_error(st, "%" PRIu64 " lookups, %" PRIu64
				       " found", n, done);
	ubench_set_items_processed(st, (int64_t)n);
out:
	rte_free(dm.slot);
}

static void
bm_reference_direct_mapped_4k(ubench_state *st)
{
	bm_reference_direct_mapped(st, PGSHIFT_4K, false);
}

static void
bm_reference_direct_mapped_2m(ubench_state *st)
{
	bm_reference_direct_mapped(st, PGSHIFT_2M, false);
}

static void
bm_reference_direct_mapped_bulk_4k(ubench_state *st)
{
	bm_reference_direct_mapped(st, PGSHIFT_4K, true);
}

static void
bm_reference_direct_mapped_bulk_2m(ubench_state *st)
{
	bm_reference_direct_mapped(st, PGSHIFT_2M, true);
}

/*
 * Translate misses: a 2-entry IOTLB (the smallest the ctx accepts: one set
 * of UIOMMU_IOTLB_WAYS) against a shuffled working set, so that nearly every
 * translation is probe, miss, device lookup, 4-level walk, fill.
 *
 * Hot: 4096 consecutive pages, 8 leaf tables (32 KiB) that stay in L1/L2.
 * Cold: N pages S KiB apart, so that the walks read more table memory
 * than the caches hold:
 *   - S = 2048: each page has a leaf table of its own, so each walk reads a
 *     table page, and a line, that no recent walk read (16384 pages: 64 MiB
 *     of leaf tables, 16384 pages for the data TLB, one line of each read:
 *     1 MiB of lines, the size of an L2). More pages would be colder, but
 *     mapping them is worse than quadratic: each leaf table is an
 *     rte_zmalloc() that scans the heap's free list (65536 pages: 50 s to
 *     set up, so not by default: UIOMMU_BENCH_COLD_PAGES).
 *   - S = 32: each page has a line of a leaf table to itself, 64 pages a
 *     table (1 Mi pages: 64 MiB of lines read, twice the L3 of the machine
 *     we measured on).
 * The host side is COLD_HOST_PAGES pages, each mapped at many IOVAs.
 */
#define MISS_IOTLB_ENTRIES	UIOMMU_IOTLB_WAYS
#define COLD_HOST_PAGES		16u

static struct fx_cfg
fx_cfg_miss(ubench_state *st, bool cold)
{
	uint32_t npages = (uint32_t)ubench_range(st, 0);
	struct fx_cfg cfg = fx_cfg_hot(PGSHIFT_4K, npages, MISS_IOTLB_ENTRIES);

	if (cold) {
		/* stride_kib is a power of two: checked at registration. */
		cfg.iova_shift = 10 + (unsigned int)
			rte_log2_u64((uint64_t)ubench_range(st, 1));
		cfg.host_pages = COLD_HOST_PAGES;
	}
	return cfg;
}

/* How a miss benchmark calls: translate_loop, _chained_loop, _bulk_loop. */
enum miss_loop { MISS_SINGLE, MISS_CHAINED, MISS_BULK };

static void
bm_translate_miss(ubench_state *st, bool cold, enum miss_loop loop)
{
	const struct fx_cfg cfg = fx_cfg_miss(st, cold);
	struct uiommu_lcore_stats before, after;
	struct xlate_fixture *fx;
	uint64_t n, misses, done = 0;
	uint32_t bad;
	int rc;

	fx = fixture_get(st, &cfg);
	if (fx == NULL)
		return;
	rc = uiommu_lcore_online(fx->ctx);
	if (rc != 0) {
		ubench_skip_with_error(st, "uiommu_lcore_online: %s",
				       strerror(-rc));
		return;
	}
	bad = translate_warm(fx);
	if (bad != 0) {
		ubench_skip_with_error(st, "page %u: wrong translation",
				       bad - 1);
		goto out_offline;
	}
	lcore_stats(fx->hw, &before);
	switch (loop) {
	case MISS_SINGLE:
		n = translate_loop(st, fx->port, fx->stream, fx->stream_mask);
		break;
	case MISS_CHAINED:
		n = translate_chained_loop(st, fx->port, fx->stream,
					   fx->stream_mask);
		break;
	case MISS_BULK:
	default:
		n = translate_bulk_loop(st, fx->port, fx->stream,
					fx->stream_mask, &done);
		break;
	}
	lcore_stats(fx->hw, &after);
	misses = after.misses - before.misses;
	/* A page may come back while still in the set (a shuffle's last and
	 * the next one's first): a handful of hits, no more. */
	if (misses < n - n / 100 || after.faults != before.faults ||
	    (loop == MISS_BULK && done != n))
		ubench_skip_with_error(st, "%" PRIu64 " translations: %" PRIu64
				       " misses, %" PRIu64 " faults", n, misses,
				       after.faults - before.faults);
	ubench_counter(st, "miss_fraction", n ? (double)misses / n : 0);
	ubench_set_items_processed(st, (int64_t)n);

out_offline:
	uiommu_lcore_offline(fx->ctx);
}

static void
bm_translate_miss_4k(ubench_state *st)
{
	bm_translate_miss(st, false, MISS_SINGLE);
}

static void
bm_translate_miss_cold(ubench_state *st)
{
	bm_translate_miss(st, true, MISS_SINGLE);
}

static void
bm_translate_miss_bulk_4k(ubench_state *st)
{
	bm_translate_miss(st, false, MISS_BULK);
}

static void
bm_translate_miss_bulk_cold(ubench_state *st)
{
	bm_translate_miss(st, true, MISS_BULK);
}

static void
bm_translate_miss_4k_chained(ubench_state *st)
{
	bm_translate_miss(st, false, MISS_CHAINED);
}

static void
bm_translate_miss_cold_chained(ubench_state *st)
{
	bm_translate_miss(st, true, MISS_CHAINED);
}

static __rte_noinline uint64_t
ref_lpae_loop(ubench_state *st, const uint64_t *root, const uint64_t *stream,
	      uint32_t mask)
{
	uint64_t n = 0;
	uint32_t pos = 0, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		const uint64_t *iova = &stream[pos];

		for (i = 0; i < BATCH; i++)
			UBENCH_SINK(ref_lpae_walk(root, iova[i]));
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	return n;
}

/* The same, chained as translate_chained_loop. */
static __rte_noinline uint64_t
ref_lpae_chained_loop(ubench_state *st, const uint64_t *root,
		      const uint64_t *stream, uint32_t mask)
{
	void *va = NULL;
	uint64_t n = 0;
	uint32_t pos = 0, i;

	while (ubench_keep_running_batch(st, BATCH)) {
		const uint64_t *iova = &stream[pos];

		for (i = 0; i < BATCH; i++)
			va = ref_lpae_walk(root, iova[i] + chain_dep(va));
		UBENCH_SINK(va);
		pos = (pos + BATCH) & mask;
		n += BATCH;
	}
	return n;
}

static void
bm_reference_lpae_walk(ubench_state *st, bool cold, bool chained)
{
	const struct fx_cfg cfg = fx_cfg_miss(st, cold);
	struct xlate_fixture *fx;
	uint32_t i;
	uint64_t n;

	fx = fixture_get(st, &cfg);
	if (fx == NULL)
		return;
	/* Only this single-threaded benchmark uses fx->ref_walk. */
	if (fx->ref_walk == NULL) {
		struct ref_lpae *pt = ref_lpae_create(fx);

		if (pt == NULL) {
			ubench_skip_with_error(st, "ref_lpae: no memory");
			return;
		}
		for (i = 0; i < cfg.npages; i++) {
			if (ref_lpae_walk(pt->root, fx_iova(&cfg, i)) !=
			    fx_va(fx, i)) {
				ubench_skip_with_error(st,
						"page %u: wrong walk", i);
				ref_lpae_destroy(pt);
				return;
			}
		}
		fx->ref_walk = pt;
	}
	n = (chained ? ref_lpae_chained_loop : ref_lpae_loop)(st,
			fx->ref_walk->root, fx->stream, fx->stream_mask);
	ubench_set_items_processed(st, (int64_t)n);
}

static void
bm_reference_lpae_walk_4k(ubench_state *st)
{
	bm_reference_lpae_walk(st, false, false);
}

static void
bm_reference_lpae_walk_cold(ubench_state *st)
{
	bm_reference_lpae_walk(st, true, false);
}

static void
bm_reference_lpae_walk_4k_chained(ubench_state *st)
{
	bm_reference_lpae_walk(st, false, true);
}

static void
bm_reference_lpae_walk_cold_chained(ubench_state *st)
{
	bm_reference_lpae_walk(st, true, true);
}

/* ----------------------------------------------------- map and unmap -- */

/*
 * A domain for map/unmap: one device attached, the page at IOVA_BASE
 * mapped, and a neighbour page (IOVA_BASE + pgsize) mapped for good so the
 * tables above the churned leaf stay in place: the cost measured is a
 * mapping's, not the allocation of tables that an empty region needs.
 */
struct churn {
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct host_mem host;
	uint64_t pgsize;
};

static int
churn_create(struct churn *c, unsigned int pgshift, const char **step)
{
	struct uiommu_dev *dev;
	int rc;

	memset(c, 0, sizeof(*c));
	c->pgsize = 1ull << pgshift;
	*step = "host memory";
	rc = host_mem_alloc(&c->host, 2 * c->pgsize, c->pgsize);
	if (rc != 0)
		return rc;
	*step = "uiommu_ctx_create";
	c->ctx = uiommu_ctx_create(NULL);
	if (c->ctx == NULL)
		goto err_errno;
	*step = "uiommu_hw_create";
	c->hw = uiommu_hw_create(c->ctx, "direct", NULL);
	if (c->hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	dev = uiommu_dev_create(c->hw, SID, NULL);
	if (dev == NULL)
		goto err_errno;
	*step = "uiommu_domain_create";
	c->dom = uiommu_domain_create(c->hw, UIOMMU_DOMAIN_PAGING, NULL);
	if (c->dom == NULL)
		goto err_errno;
	*step = "uiommu_map";
	rc = uiommu_map(c->dom, IOVA_BASE, c->host.base, c->pgsize, PROT_RW);
	if (rc == 0)
		rc = uiommu_map(c->dom, IOVA_BASE + c->pgsize,
				c->host.base + c->pgsize, c->pgsize, PROT_RW);
	if (rc != 0)
		goto err;
	*step = "uiommu_attach";
	c->port = uiommu_attach(dev, c->dom);
	if (c->port == NULL)
		goto err_errno;
	return 0;

err_errno:
	rc = -rte_errno;
err:
	if (c->ctx != NULL)
		uiommu_ctx_destroy(c->ctx);
	host_mem_free(&c->host);
	return rc;
}

static void
churn_destroy(struct churn *c)
{
	uiommu_ctx_destroy(c->ctx);
	host_mem_free(&c->host);
}

/* One iteration: unmap the page at IOVA_BASE (strict) and map it back. */
static int
churn_loop(ubench_state *st, struct churn *c)
{
	int rc = 0;

	while (ubench_keep_running(st)) {
		rc = uiommu_unmap(c->dom, IOVA_BASE, c->pgsize);
		if (unlikely(rc != 0)) {
			ubench_skip_with_error(st, "uiommu_unmap: %s",
					       strerror(-rc));
			break;
		}
		rc = uiommu_map(c->dom, IOVA_BASE, c->host.base, c->pgsize,
				PROT_RW);
		if (unlikely(rc != 0)) {
			ubench_skip_with_error(st, "uiommu_map: %s",
					       strerror(-rc));
			break;
		}
	}
	return rc;
}

/*
 * The page-table work under an unmap + map, and nothing else: walk the
 * reference table to the leaf slot of @iova at @leaf_level (the tables
 * above it in place), store zero there; again, store the descriptor.
 */
static __rte_always_inline void
ref_lpae_set_leaf(uint64_t *root, uint64_t iova, unsigned int leaf_level,
		  uint64_t pte)
{
	uint64_t *table = root;
	unsigned int level;

	for (level = 0; level < leaf_level; level++)
		table = (uint64_t *)(uintptr_t)
			(table[arm_lpae_pte_index(iova, level)] &
			 ARM_LPAE_PTE_ADDR);
	/* Release, as a table shared with walkers needs. */
	__atomic_store_n(&table[arm_lpae_pte_index(iova, level)], pte,
			 __ATOMIC_RELEASE);
}

static __rte_always_inline void
bm_reference_lpae_unmap_map(ubench_state *st, unsigned int pgshift)
{
	unsigned int leaf_level = ARM_LPAE_MAX_LEVELS - 1 -
		(pgshift - ARM_LPAE_GRANULE_SHIFT) / ARM_LPAE_BITS_PER_LEVEL;
	uint64_t pte = ref_lpae_desc((void *)(uintptr_t)IOVA_BASE,
		ARM_LPAE_PTE_AF | (leaf_level == ARM_LPAE_MAX_LEVELS - 1 ?
			ARM_LPAE_PTE_TYPE_PAGE : ARM_LPAE_PTE_TYPE_BLOCK));
	struct ref_lpae pt;
	uint64_t n = 0;
	uint32_t i;

	/* Tables down to level 3 for IOVA_BASE; a 2 MiB leaf replaces the
	 * level-2 table descriptor (the table stays in pt, to be freed). */
	ref_lpae_init(&pt);
	pt.root = ref_lpae_table(&pt);
	if (pt.root == NULL ||
	    ref_lpae_map_4k(&pt, IOVA_BASE, (void *)(uintptr_t)IOVA_BASE)) {
		ubench_skip_with_error(st, "ref_lpae: no memory");
		goto out;
	}
	/* Batched: a call per pair would cost as much as the pair. */
	while (ubench_keep_running_batch(st, BATCH)) {
		for (i = 0; i < BATCH; i++) {
			ref_lpae_set_leaf(pt.root, IOVA_BASE, leaf_level, 0);
			ref_lpae_set_leaf(pt.root, IOVA_BASE, leaf_level, pte);
		}
		n += BATCH;
	}
	ubench_set_items_processed(st, (int64_t)n);
out:
	ref_lpae_free(&pt);
}

static void
bm_reference_lpae_unmap_map_4k(ubench_state *st)
{
	bm_reference_lpae_unmap_map(st, PGSHIFT_4K);
}

static void
bm_reference_lpae_unmap_map_2m(ubench_state *st)
{
	bm_reference_lpae_unmap_map(st, PGSHIFT_2M);
}


/*
 * Unmap + map of one page, strict, with 0 or 1 lcores translating. The
 * translator, online in the ctx, translates 64 other pages of the same
 * domain and reports a quiescent state every QUIESCE_EVERY translations; the
 * benchmark thread (the main lcore, never online: it is the control plane)
 * times the pairs, each unmap waiting for the translator's next quiescent
 * state. With none, the unmap's grace period has no one to wait for: the
 * control plane alone.
 */
#define TRANSLATOR_PAGES	64u
#define ROUND_TRIPS		20000u	/* ~2-10 ms */

struct translator {
	struct uiommu_ctx *ctx;
	const struct uiommu_port *port;
	uint64_t iova[TRANSLATOR_PAGES];
	int online_rc;
	/* Written by the translator, read by the main lcore. */
	uint32_t ready;
	uint64_t translations;
	uint64_t faults;
	/* Written by the main lcore. */
	uint32_t stop __rte_cache_aligned;
};

static int
translator_main(void *arg)
{
	struct translator *tr = arg;
	uint64_t n = 0, faults = 0;
	uint32_t pos = 0, i;

	tr->online_rc = uiommu_lcore_online(tr->ctx);
	/* Pairs with the main lcore's acquire load of ready. */
	__atomic_store_n(&tr->ready, 1, __ATOMIC_RELEASE);
	if (tr->online_rc != 0)
		return -1;
	while (!__atomic_load_n(&tr->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < QUIESCE_EVERY; i++) {
			void *va = uiommu_translate(tr->port,
				tr->iova[pos++ % TRANSLATOR_PAGES],
				ACCESS_LEN, UIOMMU_ACCESS_READ);

			faults += va == NULL;
			UBENCH_SINK(va);
		}
		uiommu_lcore_quiescent(tr->ctx);
		n += QUIESCE_EVERY;
		/* Read by the main lcore around its timed loop only. */
		__atomic_store_n(&tr->translations, n, __ATOMIC_RELAXED);
	}
	tr->faults = faults;
	uiommu_lcore_offline(tr->ctx);
	return 0;
}

static int
translator_start(struct translator *tr, struct churn *c, unsigned int *lcore)
{
	uint32_t i;
	int rc;

	*lcore = rte_get_next_lcore(-1, 1, 0);
	if (*lcore >= RTE_MAX_LCORE)
		return -ENODEV;
	memset(tr, 0, sizeof(*tr));
	tr->ctx = c->ctx;
	tr->port = c->port;
	/* Pages beyond the churned one and its neighbour. */
	for (i = 0; i < TRANSLATOR_PAGES; i++) {
		uint64_t iova = IOVA_BASE + (2 + i) * c->pgsize;

		rc = uiommu_map(c->dom, iova, c->host.base, c->pgsize,
				PROT_RW);
		if (rc != 0)
			return rc;
		tr->iova[i] = iova;
	}
	rc = rte_eal_remote_launch(translator_main, tr, *lcore);
	if (rc != 0)
		return rc;
	while (!__atomic_load_n(&tr->ready, __ATOMIC_ACQUIRE))
		rte_pause();
	if (tr->online_rc != 0) {
		rte_eal_wait_lcore(*lcore);
		return tr->online_rc;
	}
	return 0;
}

static void
bm_unmap_map(ubench_state *st, unsigned int pgshift)
{
	unsigned int translators = (unsigned int)ubench_range(st, 0);
	uint64_t n0 = 0, n1 = 0;
	struct translator tr;
	unsigned int lcore = RTE_MAX_LCORE;
	const char *step;
	struct churn c;
	int rc;

	rc = churn_create(&c, pgshift, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	if (translators > 0) {
		/* Counters, not timed: the cost of the exchanges that the
		 * unmaps wait on, measured on each side of the timed loop. */
		ubench_counter(st, "round_trip_ns_before",
			       round_trip_ns(rte_get_next_lcore(-1, 1, 0),
					     ROUND_TRIPS));
		rc = translator_start(&tr, &c, &lcore);
		if (rc != 0) {
			ubench_skip_with_error(st, "translator: %s",
					       strerror(-rc));
			goto out;
		}
		n0 = __atomic_load_n(&tr.translations, __ATOMIC_RELAXED);
	}
	rc = churn_loop(st, &c);
	if (translators > 0) {
		n1 = __atomic_load_n(&tr.translations, __ATOMIC_RELAXED);
		__atomic_store_n(&tr.stop, 1, __ATOMIC_RELAXED);
		rte_eal_wait_lcore(lcore);
		if (rc == 0 && tr.faults != 0)
			ubench_skip_with_error(st, "translator: %" PRIu64
					       " faults", tr.faults);
		/* Progress of the translator while the unmaps waited on it. */
		ubench_counter_rate(st, "remote_translations_per_second",
				    (double)(n1 - n0));
		ubench_counter(st, "round_trip_ns_after",
			       round_trip_ns(lcore, ROUND_TRIPS));
	}
	if (rc == 0)
		ubench_set_items_processed(st, ubench_iterations(st));
out:
	churn_destroy(&c);
}

static void
bm_unmap_map_4k(ubench_state *st)
{
	bm_unmap_map(st, PGSHIFT_4K);
}

static void
bm_unmap_map_2m(ubench_state *st)
{
	bm_unmap_map(st, PGSHIFT_2M);
}

/* ------------------------------------------------------------- scaling -- */

/*
 * BM_translate_hit_scaling runs bm_translate_hit_4k on 1 and 2 threads
 * (BM_translate_hit_bulk_scaling: bm_translate_hit_bulk_4k), each its own
 * lcore (thread 1 registered, on the second CPU) with its own IOTLB, all
 * through one port: the fast path shares only read-only lines, so 2
 * threads should do about twice the work of one.
 */

/* --------------------------------------------------------------- main -- */

static void
register_benchmarks(void)
{
	static const struct {
		const char *name;
		ubench_fn *fn;
	} hit_4k[] = {
		{ "BM_translate_hit_4k", bm_translate_hit_4k },
		{ "BM_translate_hit_bulk_4k", bm_translate_hit_bulk_4k },
		{ "BM_reference_direct_mapped", bm_reference_direct_mapped_4k },
		{ "BM_reference_direct_mapped_bulk",
		  bm_reference_direct_mapped_bulk_4k },
	}, hit_2m[] = {
		{ "BM_translate_hit_2m", bm_translate_hit_2m },
		{ "BM_translate_hit_bulk_2m", bm_translate_hit_bulk_2m },
		{ "BM_reference_direct_mapped_2m",
		  bm_reference_direct_mapped_2m },
		{ "BM_reference_direct_mapped_bulk_2m",
		  bm_reference_direct_mapped_bulk_2m },
	}, miss_hot[] = {
		{ "BM_translate_miss_4k", bm_translate_miss_4k },
		{ "BM_translate_miss_bulk_4k", bm_translate_miss_bulk_4k },
		{ "BM_reference_lpae_walk", bm_reference_lpae_walk_4k },
		{ "BM_translate_miss_4k_chained",
		  bm_translate_miss_4k_chained },
		{ "BM_reference_lpae_walk_chained",
		  bm_reference_lpae_walk_4k_chained },
	}, miss_cold[] = {
		{ "BM_translate_miss_cold", bm_translate_miss_cold },
		{ "BM_translate_miss_bulk_cold", bm_translate_miss_bulk_cold },
		{ "BM_reference_lpae_walk_cold", bm_reference_lpae_walk_cold },
		{ "BM_translate_miss_cold_chained",
		  bm_translate_miss_cold_chained },
		{ "BM_reference_lpae_walk_cold_chained",
		  bm_reference_lpae_walk_cold_chained },
	};
	/* Cold walks: {pages, stride_kib}, see bm_translate_miss(). */
	const int64_t cold[][2] = { { cold_pages, 2048 }, { 1 << 20, 32 } };
	static const char *const cold_names[] = { "pages", "stride_kib" };
	static const int64_t hit_pages[] = { 64, 4096, 65536 };
	ubench *b;
	unsigned int i, j;

	for (j = 0; j < RTE_DIM(hit_4k); j++) {
		b = ubench_register(hit_4k[j].name, hit_4k[j].fn);
		ubench_arg_name(b, "pages");
		for (i = 0; i < RTE_DIM(hit_pages); i++)
			ubench_arg(b, hit_pages[i]);
	}
	for (j = 0; j < RTE_DIM(hit_2m); j++) {
		b = ubench_register(hit_2m[j].name, hit_2m[j].fn);
		ubench_arg(ubench_arg_name(b, "pages"), 64);
	}

	for (j = 0; j < RTE_DIM(miss_hot); j++) {
		b = ubench_register(miss_hot[j].name, miss_hot[j].fn);
		ubench_arg(ubench_arg_name(b, "pages"), 4096);
	}
	for (j = 0; j < RTE_DIM(miss_cold); j++) {
		b = ubench_register(miss_cold[j].name, miss_cold[j].fn);
		ubench_arg_names(b, cold_names, 2);
		for (i = 0; i < RTE_DIM(cold); i++)
			ubench_args(b, cold[i], 2);
	}

	b = ubench_register("BM_unmap_map_4k", bm_unmap_map_4k);
	ubench_use_real_time(ubench_arg_name(b, "translators"));
	ubench_arg(b, 0);
	ubench_arg(b, 1);
	ubench_register("BM_reference_lpae_unmap_map_4k",
			bm_reference_lpae_unmap_map_4k);
	b = ubench_register("BM_unmap_map_2m", bm_unmap_map_2m);
	ubench_use_real_time(ubench_arg_name(b, "translators"));
	ubench_arg(b, 0);
	ubench_arg(b, 1);
	ubench_register("BM_reference_lpae_unmap_map_2m",
			bm_reference_lpae_unmap_map_2m);
	ubench_use_real_time(ubench_register("BM_reference_round_trip",
					     bm_reference_round_trip));

	b = ubench_register("BM_translate_hit_scaling", bm_translate_hit_4k);
	ubench_arg(ubench_arg_name(b, "pages"), 4096);
	ubench_use_real_time(b);
	ubench_threads(b, 1);
	ubench_threads(b, 2);
	b = ubench_register("BM_translate_hit_bulk_scaling",
			    bm_translate_hit_bulk_4k);
	ubench_arg(ubench_arg_name(b, "pages"), 4096);
	ubench_use_real_time(b);
	ubench_threads(b, 1);
	ubench_threads(b, 2);
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "512", "--no-pci",
		"--no-telemetry", "--file-prefix=uiommu_bench", "-l", "0-1",
		"--log-level=lib.eal:error",
	};
	const char *env = getenv("UIOMMU_BENCH_SEED");
	char seed_str[32], cold_str[16];
	int rc;

	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	snprintf(seed_str, sizeof(seed_str), "0x%" PRIx64, seed);
	fprintf(stderr, "bench_translate: seed %s (UIOMMU_BENCH_SEED)\n",
		seed_str);
	env = getenv("UIOMMU_BENCH_COLD_PAGES");
	if (env != NULL) {
		unsigned long n = strtoul(env, NULL, 0);

		if (n < 2 || n > (1ul << 24) || !rte_is_power_of_2(n)) {
			fprintf(stderr, "UIOMMU_BENCH_COLD_PAGES: not a power "
				"of two in [2, 2^24]: %s\n", env);
			return 1;
		}
		cold_pages = (uint32_t)n;
	}
	snprintf(cold_str, sizeof(cold_str), "%" PRIu32, cold_pages);
	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ubench_add_context("seed", seed_str);
	ubench_add_context("cold_pages", cold_str);
	register_benchmarks();
	rc = ubench_main(argc, argv);
	fixtures_destroy();
	rte_eal_cleanup();
	return rc;
}

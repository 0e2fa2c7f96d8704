/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the backend benchmarks (bench_smmu_sim, bench_vtd_sim) share, so that
 * every emulated backend is measured by the same code against "direct":
 *
 * - fixtures: a ctx with one hw of a named backend, a device and a port
 *   (RID, PASID or NESTED) over N mapped pages, and a shuffled stream of
 *   IOVAs over them that depends on N only;
 * - bm_translate(): hits or misses through such a port, checked from the
 *   lcore's counters;
 * - bm_churn(): uiommu_inv_range(), strict unmap + map of one page, or
 *   deferred unmap + map with a flush every DEFER_BATCH, while 0 or 1
 *   other lcore translates, with the cache-line round trip between the two
 *   lcores measured before and after.
 *
 * A binary includes this once, after bench_common.h, and names the backends
 * by their registration name.
 */
#ifndef BENCH_BACKEND_H
#define BENCH_BACKEND_H

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <uiommu.h>

#include "bench_common.h"
#include "ubench.h"

#define PGSHIFT_4K	12u
#define PGSIZE_4K	(1ull << PGSHIFT_4K)
#define IOVA_BASE	0x100000000ull	/* 4 GiB */
#define IPA_BASE	0x40000000ull	/* nested: stage-1 output, 1 GiB */
#define STREAM_LEN_MIN	(1u << 17)	/* IOVAs per stream */
#define QUIESCE_EVERY	32u		/* translator burst */
#define SID		1u
#define PASID		1u		/* SSID 0 is the RID's on an SMMU */
#define PASID_BITS	8u
#define MISS_PAGES	4096u
#define PROT_RW		(UIOMMU_PROT_READ | UIOMMU_PROT_WRITE)

static uint64_t seed = 0x75696f6d6d75ull;	/* "uiommu" */

/* Where the port is attached: the RID, a PASID, or the RID to NESTED. */
enum port_kind { PORT_RID, PORT_PASID, PORT_NESTED };
/* ------------------------------------------------------------ helpers -- */


/*
 * Host memory that mappings point at. Never touched: a translation only
 * computes an address, so reserving address space is enough.
 */
struct host_mem {
	void *map;
	size_t len;
};

static int
host_mem_alloc(struct host_mem *hm, size_t len)
{
	hm->len = len;
	hm->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hm->map == MAP_FAILED) {
		hm->map = NULL;
		return -errno;
	}
	return 0;
}

static void
host_mem_free(struct host_mem *hm)
{
	if (hm->map != NULL)
		munmap(hm->map, hm->len);
	hm->map = NULL;
}

static inline uint8_t *
host_page(const struct host_mem *hm, uint32_t page)
{
	return (uint8_t *)hm->map + ((size_t)page << PGSHIFT_4K);
}


/* ------------------------------------------------- one-page fixture -- */

/*
 * For the benchmarks of a backend's command or invalidation queue alone: a
 * ctx of its own (never online, so invalidations find no IOTLB and a sync's
 * grace period has no one to wait for), a hw of @backend, a device at SID
 * and a PAGING domain of one mapped page attached at its RID, so that the
 * attach gives the backend a live tag (ASID, DID).
 */
struct one_page_fixture {
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	struct uiommu_dev *dev;
	struct host_mem host;
};

static int
one_page_fixture_create(struct one_page_fixture *f, const char *backend,
			const char **step)
{
	struct uiommu_domain *dom;
	int rc;

	memset(f, 0, sizeof(*f));
	*step = "host memory";
	rc = host_mem_alloc(&f->host, PGSIZE_4K);
	if (rc != 0)
		return rc;
	*step = "uiommu_ctx_create";
	f->ctx = uiommu_ctx_create(NULL);
	if (f->ctx == NULL)
		goto err_errno;
	*step = "uiommu_hw_create";
	f->hw = uiommu_hw_create(f->ctx, backend, NULL);
	if (f->hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	f->dev = uiommu_dev_create(f->hw, SID, NULL);
	if (f->dev == NULL)
		goto err_errno;
	*step = "uiommu_domain_create";
	dom = uiommu_domain_create(f->hw, UIOMMU_DOMAIN_PAGING, NULL);
	if (dom == NULL)
		goto err_errno;
	*step = "uiommu_map";
	rc = uiommu_map(dom, IOVA_BASE, f->host.map, PGSIZE_4K, PROT_RW);
	if (rc != 0)
		goto err;
	*step = "uiommu_attach";
	if (uiommu_attach(f->dev, dom) == NULL)
		goto err_errno;
	return 0;

err_errno:
	rc = -rte_errno;
err:
	if (f->ctx != NULL)
		uiommu_ctx_destroy(f->ctx);
	host_mem_free(&f->host);
	return rc;
}

static void
one_page_fixture_destroy(struct one_page_fixture *f)
{
	uiommu_ctx_destroy(f->ctx);
	host_mem_free(&f->host);
}

/* ----------------------------------------------------------- fixtures -- */

/*
 * A ctx with one hw of @backend, a device at StreamID SID and a port on
 * it: @npages 4 KiB pages, page i at IOVA_BASE + i * 4 KiB to host page i,
 * mapped one by one. NESTED: stage 1 maps page i to IPA_BASE + i * 4 KiB,
 * the stage-2 parent that IPA to host page i. The stream (IOVAs in shuffled
 * page order, each at a random cache line) depends on @npages only, so both
 * backends see the same one.
 *
 * Built by the first benchmark that needs it, under fixtures_lock (the
 * benchmarks here are single-threaded; the lock is cheap insurance), then
 * only read; torn down after every benchmark has run. No lcore is online
 * in a fixture's ctx between benchmarks.
 */
struct fx_cfg {
	const char *backend;	/* registration name */
	uint32_t kind;		/* enum port_kind */
	uint32_t npages;	/* a power of two */
	uint32_t iotlb_entries;	/* 0: the ctx default */
};

struct fixture {
	struct fx_cfg cfg;
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	struct uiommu_port *port;
	struct host_mem host;
	uint64_t *stream;
	uint32_t stream_mask;
};

#define FIXTURES_MAX	16
static struct fixture *fixtures[FIXTURES_MAX];
static pthread_mutex_t fixtures_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t *
stream_build(uint32_t npages, uint32_t *mask)
{
	uint32_t len = RTE_MAX(STREAM_LEN_MIN, npages);
	uint64_t *stream = rte_malloc("bench_stream", sizeof(*stream) * len, 0);
	uint32_t *order = malloc(sizeof(*order) * npages);
	uint32_t lines = PGSIZE_4K / ACCESS_LEN;
	uint64_t rng = seed ^ npages;
	uint32_t i, j, pos;

	if (stream == NULL || order == NULL) {
		free(order);
		rte_free(stream);
		return NULL;
	}
	for (i = 0; i < npages; i++)
		order[i] = i;
	for (pos = 0; pos < len; pos += npages) {
		/* Fisher-Yates, a new permutation per pass. */
		for (i = npages - 1; i > 0; i--) {
			uint32_t swap;

			j = rng_next(&rng) % (i + 1);
			swap = order[i];
			order[i] = order[j];
			order[j] = swap;
		}
		for (i = 0; i < npages; i++)
			stream[pos + i] = IOVA_BASE +
				((uint64_t)order[i] << PGSHIFT_4K) +
				(rng_next(&rng) % lines) * ACCESS_LEN;
	}
	free(order);
	*mask = len - 1;
	return stream;
}

static void
fixture_destroy(struct fixture *fx)
{
	if (fx->ctx != NULL)
		uiommu_ctx_destroy(fx->ctx);
	host_mem_free(&fx->host);
	rte_free(fx->stream);
	free(fx);
}

/* Map pages [0, npages) of @dom, page i at @base + i * 4 KiB. */
static int
map_pages(struct uiommu_domain *dom, uint64_t iova, uint64_t out_base,
	  uint32_t npages)
{
	uint32_t i;
	int rc;

	for (i = 0; i < npages; i++) {
		uint64_t off = (uint64_t)i << PGSHIFT_4K;

		rc = uiommu_map(dom, iova + off, (void *)(uintptr_t)
				(out_base + off), PGSIZE_4K, PROT_RW);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The domain @fx's port translates through, mapped. NULL: see rte_errno. */
static struct uiommu_domain *
fixture_domain(struct fixture *fx, const char **step)
{
	uintptr_t host = (uintptr_t)fx->host.map;
	struct uiommu_domain_params s2 = { 0 };
	struct uiommu_domain *parent, *dom;
	struct uiommu_hw_caps caps;
	int rc;

	*step = "uiommu_domain_create";
	if (fx->cfg.kind != PORT_NESTED) {
		dom = uiommu_domain_create(fx->hw, UIOMMU_DOMAIN_PAGING, NULL);
		if (dom == NULL)
			return NULL;
		*step = "uiommu_map";
		rc = map_pages(dom, IOVA_BASE, host, fx->cfg.npages);
		goto out;
	}
	/* The parent in the hw's stage-2 format (LPAE S2, VT-d SL). */
	uiommu_hw_get_caps(fx->hw, &caps);
	s2.fmt = caps.s2_fmt;
	parent = uiommu_domain_create(fx->hw, UIOMMU_DOMAIN_PAGING, &s2);
	if (parent == NULL)
		return NULL;
	*step = "uiommu_map (stage 2)";
	rc = map_pages(parent, IPA_BASE, host, fx->cfg.npages);
	if (rc != 0)
		goto out;
	*step = "uiommu_domain_create_nested";
	dom = uiommu_domain_create_nested(parent, NULL);
	if (dom == NULL)
		return NULL;
	*step = "uiommu_map (stage 1)";
	rc = map_pages(dom, IOVA_BASE, IPA_BASE, fx->cfg.npages);
out:
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;	/* the ctx frees what was made */
	}
	return dom;
}

static int
fixture_create(const struct fx_cfg *cfg, struct fixture **out,
	       const char **step)
{
	struct uiommu_ctx_params cp = {
		.socket_id = SOCKET_ID_ANY,
		.iotlb_entries = cfg->iotlb_entries,
		.iotlb_large_entries = RTE_MIN(cfg->iotlb_entries, 4096u),
	};
	struct uiommu_dev_params dp = {
		.pasid_bits = cfg->kind == PORT_PASID ? PASID_BITS : 0,
	};
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct uiommu_domain *dom;
	struct uiommu_dev *dev;
	int rc;

	*step = "alloc";
	if (fx == NULL)
		return -ENOMEM;
	fx->cfg = *cfg;
	rc = host_mem_alloc(&fx->host, (size_t)cfg->npages << PGSHIFT_4K);
	if (rc != 0)
		goto err;
	fx->stream = stream_build(cfg->npages, &fx->stream_mask);
	rc = -ENOMEM;
	if (fx->stream == NULL)
		goto err;
	*step = "uiommu_ctx_create";
	fx->ctx = uiommu_ctx_create(&cp);
	if (fx->ctx == NULL)
		goto err_errno;
	*step = "uiommu_hw_create";
	fx->hw = uiommu_hw_create(fx->ctx, cfg->backend, NULL);
	if (fx->hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	dev = uiommu_dev_create(fx->hw, SID, &dp);
	if (dev == NULL)
		goto err_errno;
	dom = fixture_domain(fx, step);
	if (dom == NULL)
		goto err_errno;
	*step = "uiommu_attach";
	fx->port = cfg->kind == PORT_PASID ?
		uiommu_attach_pasid(dev, PASID, dom) : uiommu_attach(dev, dom);
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

static struct fixture *
fixture_get(ubench_state *st, const struct fx_cfg *cfg)
{
	struct fixture *fx = NULL;
	const char *step = NULL;
	unsigned int i;
	int rc = -ENOSPC;

	pthread_mutex_lock(&fixtures_lock);
	for (i = 0; i < FIXTURES_MAX && fixtures[i] != NULL; i++) {
		const struct fx_cfg *have = &fixtures[i]->cfg;

		if (strcmp(have->backend, cfg->backend) == 0 &&
		    have->kind == cfg->kind && have->npages == cfg->npages &&
		    have->iotlb_entries == cfg->iotlb_entries) {
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
		ubench_skip_with_error(st, "fixture %s: %s: %s",
				       cfg->backend,
				       step ? step : "table full",
				       strerror(-rc));
	return fx;
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

/* ------------------------------------------------------- translations -- */

/* Translate every page once and check the address. Returns page + 1. */
static uint32_t
translate_warm(const struct fixture *fx)
{
	uint32_t i;

	for (i = 0; i < fx->cfg.npages; i++) {
		uint64_t off = (i * ACCESS_LEN) % PGSIZE_4K;
		void *va = uiommu_translate(fx->port, IOVA_BASE +
					    ((uint64_t)i << PGSHIFT_4K) + off,
					    ACCESS_LEN, UIOMMU_ACCESS_READ);

		if (va != host_page(&fx->host, i) + off)
			return i + 1;
	}
	return 0;
}

/*
 * Hits or misses through @backend's port of @kind: online on the main
 * lcore, warm (and check every page), time the stream, then check
 * (untimed) from the lcore's counters that the translations were what the
 * benchmark says: all hits, or at least 99 % misses, and no fault.
 */
static void
bm_translate(ubench_state *st, const char *backend, enum port_kind kind,
	     bool miss, bool bulk)
{
	const struct fx_cfg cfg = {
		.backend = backend, .kind = kind,
		.npages = (uint32_t)ubench_range(st, 0),
		/* The smallest the ctx accepts: one set of two ways. */
		.iotlb_entries = miss ? UIOMMU_IOTLB_WAYS : 0,
	};
	struct uiommu_lcore_stats before, after;
	struct fixture *fx = fixture_get(st, &cfg);
	uint64_t n, hits, misses, done = 0;
	uint32_t bad;
	int rc;

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
	if (bulk)
		n = translate_bulk_loop(st, fx->port, fx->stream,
					fx->stream_mask, &done);
	else
		n = done = translate_loop(st, fx->port, fx->stream,
					  fx->stream_mask);
	lcore_stats(fx->hw, &after);
	hits = after.hits - before.hits;
	misses = after.misses - before.misses;
	/* A miss run may hit a handful: a shuffle's last page can be the
	 * next one's first. */
	if (done != n || after.faults != before.faults ||
	    (miss ? misses < n - n / 100 : hits != n || misses != 0))
		ubench_skip_with_error(st, "%" PRIu64 " translations: %" PRIu64
				       " hits, %" PRIu64 " misses, %" PRIu64
				       " faults, %" PRIu64 " done", n, hits,
				       misses, after.faults - before.faults,
				       done);
	if (miss)
		ubench_counter(st, "miss_fraction",
			       n ? (double)misses / (double)n : 0);
	ubench_set_items_processed(st, (int64_t)n);
out_offline:
	uiommu_lcore_offline(fx->ctx);
}

/* ------------------------------------------- invalidation under load -- */

/*
 * A domain for invalidation: one device attached at the RID to a stage-1
 * domain, the page at IOVA_BASE mapped and a neighbour mapped for good (so
 * that unmap + map does not free and reallocate tables), and
 * TRANSLATOR_PAGES more for the translator, beyond both.
 */
#define TRANSLATOR_PAGES	64u
#define ROUND_TRIPS		20000u

struct churn {
	struct uiommu_ctx *ctx;
	struct uiommu_domain *dom;
	struct uiommu_port *port;
	struct host_mem host;
};

static int
churn_create(struct churn *c, const char *backend, const char **step)
{
	struct uiommu_dev *dev;
	struct uiommu_hw *hw;
	int rc;

	memset(c, 0, sizeof(*c));
	*step = "host memory";
	rc = host_mem_alloc(&c->host, (2 + TRANSLATOR_PAGES) * PGSIZE_4K);
	if (rc != 0)
		return rc;
	*step = "uiommu_ctx_create";
	c->ctx = uiommu_ctx_create(NULL);
	if (c->ctx == NULL)
		goto err_errno;
	*step = "uiommu_hw_create";
	hw = uiommu_hw_create(c->ctx, backend, NULL);
	if (hw == NULL)
		goto err_errno;
	*step = "uiommu_dev_create";
	dev = uiommu_dev_create(hw, SID, NULL);
	if (dev == NULL)
		goto err_errno;
	*step = "uiommu_domain_create";
	c->dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
	if (c->dom == NULL)
		goto err_errno;
	*step = "uiommu_map";
	rc = map_pages(c->dom, IOVA_BASE, (uintptr_t)c->host.map,
		       2 + TRANSLATOR_PAGES);
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

/* One iteration: invalidate the page at IOVA_BASE. */
static int
inv_range_loop(ubench_state *st, struct churn *c)
{
	int rc = 0;

	while (ubench_keep_running(st)) {
		rc = uiommu_inv_range(c->dom, IOVA_BASE, PGSIZE_4K);
		if (unlikely(rc != 0)) {
			ubench_skip_with_error(st, "uiommu_inv_range: %s",
					       strerror(-rc));
			break;
		}
	}
	return rc;
}

/* One iteration: unmap the page at IOVA_BASE (strict) and map it back. */
static int
unmap_map_loop(ubench_state *st, struct churn *c)
{
	int rc = 0;

	while (ubench_keep_running(st)) {
		rc = uiommu_unmap(c->dom, IOVA_BASE, PGSIZE_4K);
		if (unlikely(rc != 0)) {
			ubench_skip_with_error(st, "uiommu_unmap: %s",
					       strerror(-rc));
			break;
		}
		rc = uiommu_map(c->dom, IOVA_BASE, c->host.map, PGSIZE_4K,
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
 * Deferred unmaps: a window of DEFER_PAGES pages at DEFER_IOVA, far from
 * the translator's, half mapped; iteration j unmaps page j deferred and
 * maps page j + DEFER_PAGES / 2, and every DEFER_BATCH iterations
 * uiommu_domain_flush() pays the sync for the batch. A page is remapped
 * DEFER_PAGES / 2 iterations after its unmap, so always after its flush:
 * the item is one unmap + map, as in unmap_map_loop(), and the two compare
 * directly.
 */
#define DEFER_IOVA	(IOVA_BASE + (1ull << 30))
#define DEFER_PAGES	32u
#define DEFER_BATCH	16u

static inline uint64_t
defer_iova(uint64_t j)
{
	return DEFER_IOVA + ((j % DEFER_PAGES) << PGSHIFT_4K);
}

static int
unmap_map_deferred_loop(ubench_state *st, struct churn *c)
{
	const char *what = "uiommu_map";
	uint64_t j;
	int rc = 0;

	for (j = 0; j < DEFER_PAGES / 2 && rc == 0; j++)
		rc = uiommu_map(c->dom, defer_iova(j), c->host.map, PGSIZE_4K,
				PROT_RW);
	j = 0;
	while (rc == 0 && ubench_keep_running(st)) {
		what = "uiommu_unmap_deferred";
		rc = uiommu_unmap_deferred(c->dom, defer_iova(j), PGSIZE_4K);
		if (likely(rc == 0)) {
			what = "uiommu_map";
			rc = uiommu_map(c->dom, defer_iova(j + DEFER_PAGES / 2),
					c->host.map, PGSIZE_4K, PROT_RW);
		}
		if (likely(rc == 0) && ++j % DEFER_BATCH == 0) {
			what = "uiommu_domain_flush";
			rc = uiommu_domain_flush(c->dom);
		}
	}
	if (rc != 0)
		ubench_skip_with_error(st, "%s: %s", what, strerror(-rc));
	/* The churn's domain goes with its ctx; nothing to undo. */
	return rc;
}

/*
 * The translator: online in the churn's ctx on the second lcore, it
 * translates the TRANSLATOR_PAGES pages after the churned one and its
 * neighbour (never the invalidated page: no fault, only hits once warm),
 * reporting a quiescent state every QUIESCE_EVERY translations.
 */
struct translator {
	struct uiommu_ctx *ctx;
	const struct uiommu_port *port;
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
	uint32_t page = 0, i;

	tr->online_rc = uiommu_lcore_online(tr->ctx);
	/* Pairs with translator_start()'s acquire load of ready. */
	__atomic_store_n(&tr->ready, 1, __ATOMIC_RELEASE);
	if (tr->online_rc != 0)
		return -1;
	while (!__atomic_load_n(&tr->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < QUIESCE_EVERY; i++) {
			uint64_t iova = IOVA_BASE + ((uint64_t)(2 +
				page++ % TRANSLATOR_PAGES) << PGSHIFT_4K);
			void *va = uiommu_translate(tr->port, iova, ACCESS_LEN,
						    UIOMMU_ACCESS_READ);

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
translator_start(struct translator *tr, struct churn *c, unsigned int lcore)
{
	int rc;

	memset(tr, 0, sizeof(*tr));
	tr->ctx = c->ctx;
	tr->port = c->port;
	rc = rte_eal_remote_launch(translator_main, tr, lcore);
	if (rc != 0)
		return rc;
	while (!__atomic_load_n(&tr->ready, __ATOMIC_ACQUIRE))
		rte_pause();
	if (tr->online_rc != 0) {
		rte_eal_wait_lcore(lcore);
		return tr->online_rc;
	}
	return 0;
}

enum churn_op { OP_INV_RANGE, OP_UNMAP_MAP, OP_UNMAP_MAP_DEFERRED };

static void
bm_churn(ubench_state *st, const char *backend, enum churn_op op)
{
	unsigned int translators = (unsigned int)ubench_range(st, 0);
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	uint64_t n0 = 0, n1 = 0;
	struct translator tr;
	const char *step;
	struct churn c;
	int rc;

	if (translators > 0 && lcore >= RTE_MAX_LCORE) {
		ubench_skip_with_error(st, "no second lcore");
		return;
	}
	rc = churn_create(&c, backend, &step);
	if (rc != 0) {
		ubench_skip_with_error(st, "%s: %s", step, strerror(-rc));
		return;
	}
	if (translators > 0) {
		ubench_counter(st, "round_trip_ns_before",
			       round_trip_ns(lcore, ROUND_TRIPS));
		rc = translator_start(&tr, &c, lcore);
		if (rc != 0) {
			ubench_skip_with_error(st, "translator: %s",
					       strerror(-rc));
			goto out;
		}
		n0 = __atomic_load_n(&tr.translations, __ATOMIC_RELAXED);
	}
	rc = (op == OP_INV_RANGE ? inv_range_loop :
	      op == OP_UNMAP_MAP ? unmap_map_loop :
	      unmap_map_deferred_loop)(st, &c);
	if (translators > 0) {
		n1 = __atomic_load_n(&tr.translations, __ATOMIC_RELAXED);
		__atomic_store_n(&tr.stop, 1, __ATOMIC_RELAXED);
		rte_eal_wait_lcore(lcore);
		if (rc == 0 && tr.faults != 0)
			ubench_skip_with_error(st, "translator: %" PRIu64
					       " faults", tr.faults);
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

/*
 * The translate and churn benchmarks of one backend @bk (its registration
 * name, as an identifier): one function per benchmark, since a ubench_fn
 * takes no argument, and bench_backend_register_@bk() registering them as
 *   BM_translate_{hit,hit_bulk}_@bk/pages:{64,4096}
 *   BM_translate_{miss,miss_bulk,miss_pasid,miss_nested}_@bk/pages:4096
 *   BM_{inv_range,unmap_map,unmap_map_deferred}_@bk/translators:{0,1}/
 *   real_time
 */
#define BENCH_BACKEND_DEFINE(bk)					\
static void bm_translate_hit_##bk(ubench_state *st)			\
{ bm_translate(st, #bk, PORT_RID, false, false); }			\
static void bm_translate_hit_bulk_##bk(ubench_state *st)		\
{ bm_translate(st, #bk, PORT_RID, false, true); }			\
static void bm_translate_miss_##bk(ubench_state *st)			\
{ bm_translate(st, #bk, PORT_RID, true, false); }			\
static void bm_translate_miss_bulk_##bk(ubench_state *st)		\
{ bm_translate(st, #bk, PORT_RID, true, true); }			\
static void bm_translate_miss_pasid_##bk(ubench_state *st)		\
{ bm_translate(st, #bk, PORT_PASID, true, false); }			\
static void bm_translate_miss_nested_##bk(ubench_state *st)		\
{ bm_translate(st, #bk, PORT_NESTED, true, false); }			\
static void bm_inv_range_##bk(ubench_state *st)				\
{ bm_churn(st, #bk, OP_INV_RANGE); }					\
static void bm_unmap_map_##bk(ubench_state *st)				\
{ bm_churn(st, #bk, OP_UNMAP_MAP); }					\
static void bm_unmap_map_deferred_##bk(ubench_state *st)		\
{ bm_churn(st, #bk, OP_UNMAP_MAP_DEFERRED); }				\
static void								\
bench_backend_register_##bk(void)					\
{									\
	const struct bench_backend_fns fns = {				\
		.hit = bm_translate_hit_##bk,				\
		.hit_bulk = bm_translate_hit_bulk_##bk,			\
		.miss = bm_translate_miss_##bk,				\
		.miss_bulk = bm_translate_miss_bulk_##bk,		\
		.miss_pasid = bm_translate_miss_pasid_##bk,		\
		.miss_nested = bm_translate_miss_nested_##bk,		\
		.inv_range = bm_inv_range_##bk,				\
		.unmap_map = bm_unmap_map_##bk,				\
		.unmap_map_deferred = bm_unmap_map_deferred_##bk,	\
	};								\
									\
	bench_backend_register(#bk, &fns);				\
}

struct bench_backend_fns {
	ubench_fn *hit, *hit_bulk, *miss, *miss_bulk, *miss_pasid, *miss_nested;
	ubench_fn *inv_range, *unmap_map, *unmap_map_deferred;
};

static void
bench_backend_register(const char *bk, const struct bench_backend_fns *fns)
{
	const struct {
		const char *what;
		ubench_fn *fn;
		bool hit;	/* pages 64 and 4096; else MISS_PAGES */
	} xlate[] = {
		{ "hit", fns->hit, true },
		{ "hit_bulk", fns->hit_bulk, true },
		{ "miss", fns->miss, false },
		{ "miss_bulk", fns->miss_bulk, false },
		{ "miss_pasid", fns->miss_pasid, false },
		{ "miss_nested", fns->miss_nested, false },
	};
	const struct {
		const char *what;
		ubench_fn *fn;
	} churn[] = {
		{ "inv_range", fns->inv_range },
		{ "unmap_map", fns->unmap_map },
		{ "unmap_map_deferred", fns->unmap_map_deferred },
	};
	char name[64];
	ubench *b;
	unsigned int j;

	for (j = 0; j < RTE_DIM(xlate); j++) {
		snprintf(name, sizeof(name), "BM_translate_%s_%s",
			 xlate[j].what, bk);
		b = ubench_arg_name(ubench_register(name, xlate[j].fn),
				    "pages");
		if (xlate[j].hit) {
			ubench_arg(b, 64);
			ubench_arg(b, 4096);
		} else {
			ubench_arg(b, MISS_PAGES);
		}
	}
	for (j = 0; j < RTE_DIM(churn); j++) {
		snprintf(name, sizeof(name), "BM_%s_%s", churn[j].what, bk);
		b = ubench_register(name, churn[j].fn);
		ubench_use_real_time(ubench_arg_name(b, "translators"));
		ubench_arg(b, 0);
		ubench_arg(b, 1);
	}
}

/*
 * main() of a backend benchmark binary called @name: EAL with fixed
 * arguments (no hugepages, lcores 0-1, a --file-prefix of its own so the
 * binaries may run next to each other), the seed from UIOMMU_BENCH_SEED,
 * then @register_fn and Google Benchmark with the command line.
 */
static int
bench_backend_main(int argc, char **argv, const char *name,
		   void (*register_fn)(void))
{
	char prefix[64];
	char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "512", "--no-pci",
		"--no-telemetry", prefix, "-l", "0-1",
		"--log-level=lib.eal:error",
	};
	const char *env = getenv("UIOMMU_BENCH_SEED");
	char seed_str[32];
	int rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=uiommu_%s", name);
	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	snprintf(seed_str, sizeof(seed_str), "0x%" PRIx64, seed);
	fprintf(stderr, "%s: seed %s (UIOMMU_BENCH_SEED)\n", name, seed_str);
	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ubench_add_context("seed", seed_str);
	register_fn();
	rc = ubench_main(argc, argv);
	fixtures_destroy();
	rte_eal_cleanup();
	return rc;
}

#endif /* BENCH_BACKEND_H */

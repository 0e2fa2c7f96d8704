/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process-wide uiommu objects shared by the ports (ctx, one hw per backend)
 * and DPDK memory in the ports' domains: all of it at start, memory events
 * in between, external memory through dma_map. Locking: net_iommu.h.
 */
#include <errno.h>
#include <stdlib.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "net_iommu.h"

#define MEM_CB_NAME	"net_iommu"

struct net_iommu_shared net_iommu_sh = {
	/* Recursive: freeing uiommu objects under it (close) can return
	 * hugepages to the system, and EAL then calls the memory event
	 * callback, which takes it, on the same thread. */
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
	.lcore_lock = PTHREAD_MUTEX_INITIALIZER,
};

static const char *const hw_backend[NET_IOMMU_KINDS] = {
	[NET_IOMMU_SMMU] = "smmu_sim",
	[NET_IOMMU_VTD] = "vtd_sim",
	[NET_IOMMU_DIRECT] = "direct",
};

void
net_iommu_ctl_done(void)
{
	unsigned int l = rte_lcore_id();
	struct net_iommu_lcore *lc;

	if (net_iommu_sh.ctx == NULL || l >= RTE_MAX_LCORE)
		return;
	lc = &net_iommu_sh.lcore[l];
	/* A control call on an lcore that bursts made the core report for
	 * it, which put it back online in QSBR. Unless the application
	 * holds it online, it bursts no more now. A held lcore that was
	 * paused may now be online with running still false: its next
	 * burst resumes it again, which is harmless. */
	if (lc->online && !lc->held)
		net_iommu_lcore_pause(l);
}

int
net_iommu_lcore_online_slow(unsigned int lcore_id)
{
	int rc = uiommu_lcore_online(net_iommu_sh.ctx);

	if (rc == 0) {
		net_iommu_sh.lcore[lcore_id].online = true;
		net_iommu_sh.lcore[lcore_id].running = true;
	}
	return rc;
}

int
uiommu_net_iommu_lcore_hold(void)
{
	unsigned int l = rte_lcore_id();

	if (l >= RTE_MAX_LCORE)
		return -EINVAL;
	/* Takes effect at the next burst's end: leave reports instead of
	 * pausing. */
	net_iommu_sh.lcore[l].held = true;
	return 0;
}

int
uiommu_net_iommu_lcore_release(void)
{
	struct net_iommu_shared *sh = &net_iommu_sh;
	unsigned int l = rte_lcore_id();
	struct net_iommu_lcore *lc;

	if (l >= RTE_MAX_LCORE)
		return -EINVAL;
	lc = &sh->lcore[l];
	pthread_mutex_lock(&sh->lcore_lock);
	lc->held = false;
	if (sh->ctx != NULL && lc->online && lc->running)
		net_iommu_lcore_pause(l);
	pthread_mutex_unlock(&sh->lcore_lock);
	return 0;
}

/* The hw for @kind, created on first use. sh->lock held. */
static struct uiommu_hw *
hw_get(enum net_iommu_kind kind)
{
	struct net_iommu_shared *sh = &net_iommu_sh;

	if (sh->hw[kind] == NULL) {
		sh->hw[kind] = uiommu_hw_create(sh->ctx, hw_backend[kind],
						NULL);
		if (sh->hw[kind] == NULL) {
			NET_IOMMU_LOG(ERR, "cannot create a %s instance: %s",
				      hw_backend[kind], rte_strerror(rte_errno));
			return NULL;
		}
	}
	sh->hw_users[kind]++;
	return sh->hw[kind];
}

/* sh->lock held. */
static void
hw_put(enum net_iommu_kind kind)
{
	struct net_iommu_shared *sh = &net_iommu_sh;

	if (--sh->hw_users[kind] == 0) {
		RTE_VERIFY(uiommu_hw_destroy(sh->hw[kind]) == 0);
		sh->hw[kind] = NULL;
	}
}

/* Last port gone: the ctx, with every lcore's registration. sh->lock. */
static void
ctx_put(void)
{
	struct net_iommu_shared *sh = &net_iommu_sh;
	unsigned int l;

	if (sh->nb_ports != 0)
		return;
	/* Takes lcores offline first, so it waits for no held lcore. */
	pthread_mutex_lock(&sh->lcore_lock);
	uiommu_ctx_destroy(sh->ctx);
	sh->ctx = NULL;
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		sh->lcore[l].online = false;
		sh->lcore[l].running = false;
	}
	pthread_mutex_unlock(&sh->lcore_lock);
}

/* PASID bits that cover every queue's PASID, from @base. */
static uint8_t
pasid_bits_for(uint32_t base)
{
	uint32_t last = base + NET_IOMMU_MAX_QUEUES - 1;

	return (uint8_t)(32 - __builtin_clz(last));
}

int
net_iommu_shared_get(struct net_iommu_port *p)
{
	struct net_iommu_shared *sh = &net_iommu_sh;
	struct uiommu_dev_params dp = { 0 };
	struct uiommu_hw_caps caps;
	int rc = -ENOMEM;

	pthread_mutex_lock(&sh->lock);
	if (sh->ctx == NULL) {
		sh->ctx = uiommu_ctx_create(NULL);
		if (sh->ctx == NULL) {
			rc = -rte_errno;
			NET_IOMMU_LOG(ERR, "cannot create the uiommu ctx: %s",
				      rte_strerror(rte_errno));
			goto err_unlock;
		}
	}
	p->hw = hw_get(p->args.kind);
	if (p->hw == NULL) {
		rc = -rte_errno;
		goto err_ctx;
	}
	uiommu_hw_get_caps(p->hw, &caps);
	if (p->args.pasid_base != 0) {
		dp.pasid_bits = pasid_bits_for(p->args.pasid_base);
		if (dp.pasid_bits > caps.pasid_bits) {
			NET_IOMMU_LOG(ERR,
				"pasid: %u + %u queues needs %u PASID bits, %s has %u",
				p->args.pasid_base, NET_IOMMU_MAX_QUEUES,
				dp.pasid_bits, hw_backend[p->args.kind],
				caps.pasid_bits);
			rc = -EINVAL;
			goto err_hw;
		}
	}
	p->dev = uiommu_dev_create(p->hw, p->args.sid, &dp);
	if (p->dev == NULL) {
		rc = -rte_errno;
		NET_IOMMU_LOG(ERR, "sid: cannot create device %#x on %s: %s",
			      p->args.sid, hw_backend[p->args.kind],
			      rte_strerror(rte_errno));
		goto err_hw;
	}
	p->dom = uiommu_domain_create(p->hw, UIOMMU_DOMAIN_PAGING,
			&(struct uiommu_domain_params){
				.inv_mode = p->args.mode == NET_IOMMU_LAZY ?
					UIOMMU_INV_LAZY : UIOMMU_INV_STRICT,
				.fq_timeout_us = NET_IOMMU_LAZY_FLUSH_US,
			});
	if (p->dom == NULL) {
		rc = -rte_errno;
		NET_IOMMU_LOG(ERR, "cannot create a domain: %s",
			      rte_strerror(rte_errno));
		goto err_dev;
	}
	sh->nb_ports++;
	LIST_INSERT_HEAD(&sh->ports, p, next);
	net_iommu_ctl_done();
	pthread_mutex_unlock(&sh->lock);
	return 0;

err_dev:
	uiommu_dev_destroy(p->dev);
	p->dev = NULL;
err_hw:
	hw_put(p->args.kind);
	p->hw = NULL;
err_ctx:
	ctx_put();
err_unlock:
	pthread_mutex_unlock(&sh->lock);
	return rc;
}

void
net_iommu_shared_put(struct net_iommu_port *p)
{
	struct net_iommu_shared *sh = &net_iommu_sh;

	pthread_mutex_lock(&sh->lock);
	LIST_REMOVE(p, next);
	/* The domain goes with whatever external memory is still mapped. */
	RTE_VERIFY(uiommu_domain_destroy(p->dom) == 0);
	RTE_VERIFY(uiommu_dev_destroy(p->dev) == 0);
	hw_put(p->args.kind);
	p->dom = NULL;
	p->dev = NULL;
	p->hw = NULL;
	sh->nb_ports--;
	net_iommu_ctl_done();
	ctx_put();
	pthread_mutex_unlock(&sh->lock);
}

/* ---------------------------------------------------- DPDK memory -- */

struct mem_walk {
	struct net_iommu_port *p;
	unsigned int done;	/* ranges mapped (map) */
	unsigned int limit;	/* ranges to unmap (rollback) */
	int rc;
};

static bool
mem_walk_skip(const struct rte_memseg_list *msl, const struct rte_memseg *ms)
{
	/* External memory is the application's, through dma_map (as with
	 * VFIO); a segment without IOVA cannot be reached by a device. */
	return msl->external || ms->iova == RTE_BAD_IOVA;
}

static int
mem_map_range(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	      size_t len, void *arg)
{
	struct mem_walk *w = arg;

	if (mem_walk_skip(msl, ms))
		return 0;
	w->rc = uiommu_map(w->p->dom, ms->iova, ms->addr, len,
			   UIOMMU_PROT_READ | UIOMMU_PROT_WRITE);
	if (w->rc != 0) {
		NET_IOMMU_LOG(ERR, "%s: map of IOVA %#" PRIx64 " +%zu: %s",
			      w->p->eth_dev->data->name, ms->iova, len,
			      rte_strerror(-w->rc));
		return -1;
	}
	w->done++;
	return 0;
}

/*
 * Unmap a range of the PMD's own: strict, or deferred until the caller's
 * port_unmap_done() (mode=batch|lazy), which must follow before the
 * memory can be reused.
 */
static int
port_unmap(struct net_iommu_port *p, uint64_t iova, size_t len)
{
	if (p->args.mode == NET_IOMMU_STRICT)
		return uiommu_unmap(p->dom, iova, len);
	return uiommu_unmap_deferred(p->dom, iova, len);
}

/* After a series of port_unmap(): no lcore reaches the ranges any more. */
static void
port_unmap_done(struct net_iommu_port *p)
{
	/* No-op when nothing is deferred (strict). */
	uiommu_domain_flush(p->dom);
}

static int
mem_unmap_range(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		size_t len, void *arg)
{
	struct mem_walk *w = arg;
	int rc;

	if (mem_walk_skip(msl, ms))
		return 0;
	if (w->done == w->limit)
		return 1;
	w->done++;
	rc = port_unmap(w->p, ms->iova, len);
	if (rc != 0)
		NET_IOMMU_LOG(ERR, "%s: unmap of IOVA %#" PRIx64 " +%zu: %s",
			      w->p->eth_dev->data->name, ms->iova, len,
			      rte_strerror(-rc));
	return 0;
}

/* The same, a page at a time. */
static int
mem_map_page(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	     void *arg)
{
	return mem_map_range(msl, ms, ms->len, arg);
}

static int
mem_unmap_page(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	       void *arg)
{
	return mem_unmap_range(msl, ms, ms->len, arg);
}

/* The internal memseg lists' VA ranges and page sizes, for reserve. */
struct msl_ranges {
	unsigned int n;
	struct {
		uintptr_t base;
		size_t len;
		uint64_t page_sz;
	} r[RTE_MAX_MEMSEG_LISTS];
};

static int
msl_collect(const struct rte_memseg_list *msl, void *arg)
{
	struct msl_ranges *m = arg;

	if (msl->external || msl->len == 0 || m->n == RTE_DIM(m->r))
		return 0;
	m->r[m->n].base = (uintptr_t)msl->base_va;
	m->r[m->n].len = msl->len;
	m->r[m->n].page_sz = msl->page_sz;
	m->n++;
	return 0;
}

/*
 * With memory events, the callback maps and unmaps pages while EAL holds
 * the DPDK heap's lock: an rte_malloc() there (a page-table page) would
 * never return. So before the port starts, with no EAL lock held, link in
 * the domain every table that a page of any internal memseg list will
 * need (IOVA = VA here, so the IOVAs of pages not yet allocated are
 * known); the core keeps the gathers of one page's map or unmap inline.
 * And memory is then mapped a page at a time, so that no leaf spans two
 * pages and freeing one never splits a block (a table allocation).
 */
static int
mem_reserve_tables(struct net_iommu_port *p)
{
	struct msl_ranges *m;
	unsigned int i;
	int rc = 0;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	rte_memseg_list_walk(msl_collect, m);	/* takes the read lock */
	for (i = 0; i < m->n && rc == 0; i++) {
		rc = uiommu_domain_reserve(p->dom, m->r[i].base, m->r[i].len,
					   m->r[i].page_sz);
		if (rc != 0)
			NET_IOMMU_LOG(ERR,
				"%s: cannot reserve page tables for memory at %#" PRIxPTR " +%zu: %s",
				p->eth_dev->data->name, m->r[i].base,
				m->r[i].len, rte_strerror(-rc));
	}
	free(m);
	return rc;
}

int
net_iommu_mem_map_all(struct net_iommu_port *p)
{
	const bool by_page = net_iommu_sh.mem_events;
	struct mem_walk w = { .p = p };

	if (by_page) {
		if (!p->iova_as_va) {
			NET_IOMMU_LOG(WARNING,
				"%s: memory events with IOVA as PA: a page table allocated in the event callback can deadlock EAL (use --iova-mode=va or --legacy-mem)",
				p->eth_dev->data->name);
		} else {
			w.rc = mem_reserve_tables(p);
			if (w.rc != 0)
				return w.rc;
		}
	}
	/* Lock order: hotplug lock, then sh->lock (net_iommu.h). */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&net_iommu_sh.lock);
	if ((by_page ?
	     rte_memseg_walk_thread_unsafe(mem_map_page, &w) :
	     rte_memseg_contig_walk_thread_unsafe(mem_map_range, &w)) != 0) {
		struct mem_walk undo = { .p = p, .limit = w.done };

		if (by_page)
			rte_memseg_walk_thread_unsafe(mem_unmap_page, &undo);
		else
			rte_memseg_contig_walk_thread_unsafe(mem_unmap_range,
							     &undo);
		port_unmap_done(p);
	} else {
		p->started = true;
	}
	net_iommu_ctl_done();
	pthread_mutex_unlock(&net_iommu_sh.lock);
	rte_mcfg_mem_read_unlock();
	return w.rc;
}

void
net_iommu_mem_unmap_all(struct net_iommu_port *p)
{
	struct mem_walk w = { .p = p, .limit = UINT_MAX };

	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&net_iommu_sh.lock);
	p->started = false;
	rte_memseg_contig_walk_thread_unsafe(mem_unmap_range, &w);
	port_unmap_done(p);
	net_iommu_ctl_done();
	pthread_mutex_unlock(&net_iommu_sh.lock);
	rte_mcfg_mem_read_unlock();
}

/* One started port, one event: page by page, each with its own IOVA. */
static void
mem_event_port(struct net_iommu_port *p, enum rte_mem_event type,
	       const void *addr, size_t len)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	uintptr_t cur = (uintptr_t)addr, end = cur + len;

	if (msl == NULL || msl->external)
		return;
	for (; cur < end; cur += msl->page_sz) {
		const struct rte_memseg *ms =
			rte_mem_virt2memseg((void *)cur, msl);
		int rc;

		if (ms == NULL || ms->iova == RTE_BAD_IOVA)
			continue;
		if (type == RTE_MEM_EVENT_ALLOC)
			rc = uiommu_map(p->dom, ms->iova, (void *)cur,
					msl->page_sz, UIOMMU_PROT_READ |
					UIOMMU_PROT_WRITE);
		else
			rc = port_unmap(p, ms->iova, msl->page_sz);
		if (rc != 0)
			NET_IOMMU_LOG(ERR, "%s: memory %s at %p: %s",
				      p->eth_dev->data->name,
				      type == RTE_MEM_EVENT_ALLOC ?
				      "map" : "unmap", (void *)cur,
				      rte_strerror(-rc));
	}
	if (type == RTE_MEM_EVENT_FREE)
		port_unmap_done(p);
}

/*
 * EAL calls this with the hotplug lock held: after pages are allocated,
 * before they are freed. A strict unmap returns once no lcore can reach the
 * pages, so EAL frees them only after that.
 */
void
net_iommu_mem_event_cb(enum rte_mem_event type, const void *addr, size_t len,
		       void *arg __rte_unused)
{
	struct net_iommu_port *p;

	pthread_mutex_lock(&net_iommu_sh.lock);
	LIST_FOREACH(p, &net_iommu_sh.ports, next)
		if (p->started)
			mem_event_port(p, type, addr, len);
	net_iommu_ctl_done();
	pthread_mutex_unlock(&net_iommu_sh.lock);
}

int
net_iommu_mem_cb_register(void)
{
	int rc = rte_mem_event_callback_register(MEM_CB_NAME,
						 net_iommu_mem_event_cb, NULL);

	/* EEXIST: another port registered it; ENOTSUP: --legacy-mem or
	 * --no-huge, where memory never changes. */
	if (rc != 0 && rte_errno != EEXIST && rte_errno != ENOTSUP)
		return -rte_errno;
	net_iommu_sh.mem_events = rc == 0 || rte_errno == EEXIST;
	return 0;
}

void
net_iommu_mem_cb_unregister(void)
{
	rte_mem_event_callback_unregister(MEM_CB_NAME, NULL);
	net_iommu_sh.mem_events = false;
}

/* ------------------------------------------------- external memory -- */

int
net_iommu_dma_map(struct net_iommu_port *p, void *addr, uint64_t iova,
		  size_t len)
{
	int rc;

	if (p->dom == NULL)
		return 0;	/* iommu=off: the device reaches everything */
	pthread_mutex_lock(&net_iommu_sh.lock);
	rc = uiommu_map(p->dom, iova, addr, len,
			UIOMMU_PROT_READ | UIOMMU_PROT_WRITE);
	net_iommu_ctl_done();
	pthread_mutex_unlock(&net_iommu_sh.lock);
	return rc;
}

int
net_iommu_dma_unmap(struct net_iommu_port *p, uint64_t iova, size_t len)
{
	int rc;

	if (p->dom == NULL)
		return 0;
	pthread_mutex_lock(&net_iommu_sh.lock);
	rc = port_unmap(p, iova, len);
	/* The application may free the memory once this returns. */
	port_unmap_done(p);
	net_iommu_ctl_done();
	pthread_mutex_unlock(&net_iommu_sh.lock);
	return rc;
}

/* ------------------------------------------------------- mode=lazy -- */

/*
 * EAL's alarm thread, every NET_IOMMU_LAZY_FLUSH_US while the port is
 * started: flush what the application's lazy unmaps left pending, so that
 * a stale translation lives a bounded time even when no unmap follows to
 * find it expired. Takes only the domain's lock (uiommu's own), never
 * sh->lock; stop cancels the alarm, waiting for a running callback, before
 * anything it uses goes away.
 */
static void
lazy_flush_alarm(void *arg)
{
	struct net_iommu_port *p = arg;

	uiommu_domain_flush(p->dom);
	rte_eal_alarm_set(NET_IOMMU_LAZY_FLUSH_US, lazy_flush_alarm, p);
}

void
net_iommu_lazy_flush_start(struct net_iommu_port *p)
{
	int rc;

	if (p->dom == NULL || p->args.mode != NET_IOMMU_LAZY)
		return;
	rc = rte_eal_alarm_set(NET_IOMMU_LAZY_FLUSH_US, lazy_flush_alarm, p);
	if (rc != 0)
		/* Still correct: unmaps flush expired entries themselves. */
		NET_IOMMU_LOG(WARNING, "%s: no lazy flush alarm: %s",
			      p->eth_dev->data->name, rte_strerror(-rc));
}

void
net_iommu_lazy_flush_stop(struct net_iommu_port *p)
{
	if (p->dom == NULL || p->args.mode != NET_IOMMU_LAZY)
		return;
	/* Waits for a callback running on the alarm thread; the callback
	 * re-arms itself, so cancel until none is left. */
	while (rte_eal_alarm_cancel(lazy_flush_alarm, p) > 0)
		;
}

/* ---------------------------------------------- application's IOVAs -- */

struct iova_window {
	uint64_t base;
	uint64_t len;
};

static bool
window_overlaps(const struct iova_window *w, uint64_t start, uint64_t len)
{
	return start < w->base + w->len && w->base < start + len;
}

static int
window_hits_msl(const struct rte_memseg_list *msl, void *arg)
{
	/* With IOVA as VA the list's whole VA reservation is future IOVAs. */
	return !msl->external && rte_eal_iova_mode() == RTE_IOVA_VA &&
	       window_overlaps(arg, (uintptr_t)msl->base_va, msl->len);
}

static int
window_hits_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		void *arg)
{
	return !msl->external && ms->iova != RTE_BAD_IOVA &&
	       window_overlaps(arg, ms->iova, ms->len);
}

int
uiommu_net_iommu_iova_window(uint64_t len, uint64_t *iova)
{
	const uint64_t top = 1ull << 47, step = 1ull << 30;
	struct iova_window w = { .len = len };

	if (iova == NULL || len == 0 || (len & 4095) || len > top / 2)
		return -EINVAL;
	/* From 2^46 up: clear of EAL's usual VA bases (0x1_0000_0000 and
	 * the mmap area near 2^47) and, with IOVA as PA, of any RAM. */
	for (w.base = top / 2; w.base + len <= top; w.base += step) {
		if (rte_memseg_list_walk(window_hits_msl, &w) == 0 &&
		    rte_memseg_walk(window_hits_seg, &w) == 0) {
			*iova = w.base;
			return 0;
		}
	}
	return -ERANGE;
}

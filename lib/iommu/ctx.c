/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context: object bookkeeping, the QSBR variable, lcores coming online
 * and going offline, and teardown of whatever a caller left behind.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "uiommu_private.h"

RTE_LOG_REGISTER(uiommu_logtype, lib.uiommu, NOTICE);

#define CTX_DEF_IOTLB_ENTRIES		131072u
#define CTX_DEF_IOTLB_LARGE_ENTRIES	4096u
#define CTX_DEF_INV_QUEUE_SIZE		1024u
#define CTX_DEF_FAULT_QUEUE_SIZE	1024u
#define CTX_MAX_IOTLB_ENTRIES		(1u << 24)
#define CTX_MAX_QUEUE_SIZE		(1u << 20)

static int
ctx_params_fill(struct uiommu_ctx_params *p,
		const struct uiommu_ctx_params *user)
{
	if (user != NULL)
		*p = *user;
	else
		memset(p, 0, sizeof(*p));
	if (user == NULL)
		p->socket_id = SOCKET_ID_ANY;
	if (p->iotlb_entries == 0)
		p->iotlb_entries = CTX_DEF_IOTLB_ENTRIES;
	if (p->iotlb_large_entries == 0)
		p->iotlb_large_entries = CTX_DEF_IOTLB_LARGE_ENTRIES;
	if (p->inv_queue_size == 0)
		p->inv_queue_size = CTX_DEF_INV_QUEUE_SIZE;
	if (p->fault_queue_size == 0)
		p->fault_queue_size = CTX_DEF_FAULT_QUEUE_SIZE;
	/* Sets are indexed by mask: sizes are powers of two, >= one set. */
	if (!rte_is_power_of_2(p->iotlb_entries) ||
	    !rte_is_power_of_2(p->iotlb_large_entries) ||
	    p->iotlb_entries < UIOMMU_IOTLB_WAYS ||
	    p->iotlb_large_entries < UIOMMU_IOTLB_WAYS ||
	    p->iotlb_entries > CTX_MAX_IOTLB_ENTRIES ||
	    p->iotlb_large_entries > CTX_MAX_IOTLB_ENTRIES ||
	    !rte_is_power_of_2(p->inv_queue_size) ||
	    !rte_is_power_of_2(p->fault_queue_size) ||
	    p->inv_queue_size < 2 || p->fault_queue_size < 2 ||
	    p->inv_queue_size > CTX_MAX_QUEUE_SIZE ||
	    p->fault_queue_size > CTX_MAX_QUEUE_SIZE)
		return -EINVAL;
	return 0;
}

struct uiommu_ctx *
uiommu_ctx_create(const struct uiommu_ctx_params *params)
{
	struct uiommu_ctx_params p;
	struct uiommu_ctx *ctx;
	size_t qsz;
	int t;

	if (ctx_params_fill(&p, params) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	ctx = rte_zmalloc_socket("uiommu_ctx", sizeof(*ctx),
				 RTE_CACHE_LINE_SIZE, p.socket_id);
	if (ctx == NULL)
		goto err_nomem;
	qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	ctx->fast.qsbr = rte_zmalloc_socket("uiommu_qsbr", qsz,
					    RTE_CACHE_LINE_SIZE, p.socket_id);
	if (ctx->fast.qsbr == NULL)
		goto err_free_ctx;
	if (rte_rcu_qsbr_init(ctx->fast.qsbr, RTE_MAX_LCORE) != 0)
		goto err_free_qsbr;
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->params = p;
	for (t = 0; t < (int)RTE_DIM(ctx->objs); t++)
		TAILQ_INIT(&ctx->objs[t]);
	ctx->next_id = 1;
	telemetry_ctx_add(ctx);
	return ctx;

err_free_qsbr:
	rte_free(ctx->fast.qsbr);
err_free_ctx:
	rte_free(ctx);
err_nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
ctx_obj_add(struct uiommu_ctx *ctx, struct uiommu_obj *obj,
	    enum uiommu_obj_type type)
{
	obj->ctx = ctx;
	obj->type = type;
	obj->id = ctx->next_id++;
	obj->refcnt = 0;
	TAILQ_INSERT_TAIL(&ctx->objs[type], obj, next);
}

void
ctx_obj_del(struct uiommu_obj *obj)
{
	TAILQ_REMOVE(&obj->ctx->objs[obj->type], obj, next);
}

/* A domain nothing depends on any more: a nested one if any is left. */
static struct uiommu_obj *
ctx_first_domain(struct uiommu_ctx *ctx)
{
	struct uiommu_obj *obj;

	TAILQ_FOREACH(obj, &ctx->objs[UIOMMU_OBJ_DOMAIN], next)
		if (container_of(obj, struct uiommu_domain, obj)->parent !=
		    NULL)
			return obj;
	return TAILQ_FIRST(&ctx->objs[UIOMMU_OBJ_DOMAIN]);
}

int
uiommu_ctx_destroy(struct uiommu_ctx *ctx)
{
	struct uiommu_obj *obj;
	unsigned int l;

	if (ctx == NULL)
		return -EINVAL;
	/* First: waits for telemetry callbacks still reading the ctx. */
	telemetry_ctx_del(ctx);
	pthread_mutex_lock(&ctx->lock);
	/* The caller promised that no lcore translates any more; lcores it
	 * left online must not hold up the grace periods of the teardown. */
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (!ctx->lcore_online[l])
			continue;
		rte_rcu_qsbr_thread_offline(ctx->fast.qsbr, l);
		rte_rcu_qsbr_thread_unregister(ctx->fast.qsbr, l);
		ctx->lcore_online[l] = false;
	}
	/* Reverse dependency order: each step removes the users of the
	 * next, so none of these can fail with -EBUSY. */
	while ((obj = TAILQ_FIRST(&ctx->objs[UIOMMU_OBJ_PORT])) != NULL)
		port_detach_locked(container_of(obj, struct uiommu_port_obj,
						obj));
	/* Nested domains hold their parents: they go first. */
	while ((obj = ctx_first_domain(ctx)) != NULL)
		RTE_VERIFY(domain_destroy_locked(container_of(obj,
				struct uiommu_domain, obj)) == 0);
	while ((obj = TAILQ_FIRST(&ctx->objs[UIOMMU_OBJ_DEV])) != NULL)
		RTE_VERIFY(dev_destroy_locked(container_of(obj,
				struct uiommu_dev, obj)) == 0);
	while ((obj = TAILQ_FIRST(&ctx->objs[UIOMMU_OBJ_HW])) != NULL)
		RTE_VERIFY(hw_destroy_locked(container_of(obj,
				struct uiommu_hw, obj)) == 0);
	pthread_mutex_unlock(&ctx->lock);
	pthread_mutex_destroy(&ctx->lock);
	rte_free(ctx->fast.qsbr);
	rte_free(ctx);
	return 0;
}

/* Give lcore @l an IOTLB and a queue on @hw and publish the IOTLB. The
 * caller is lcore @l or holds it offline (ctx lock). */
int
ctx_lcore_attach_hw(struct uiommu_ctx *ctx, struct uiommu_hw *hw,
		    unsigned int l)
{
	struct uiommu_iotlb *tlb = hw->iotlb_mem[l];
	int rc;

	rc = inv_queue_init(hw, &ctx->params, l);
	if (rc != 0)
		return rc;
	if (tlb == NULL) {
		tlb = iotlb_alloc(&ctx->params, l);
		if (tlb == NULL)
			return -ENOMEM;
		/* Read by posters: see inv.c for the Dekker pairing. */
		__atomic_store_n(&hw->iotlb_mem[l], tlb, __ATOMIC_RELEASE);
		if (l >= hw->lcore_end)
			__atomic_store_n(&hw->lcore_end, l + 1,
					 __ATOMIC_RELEASE);
	}
	/* Pairs with the port readers' load of their slot. */
	__atomic_store_n(&hw->iotlb[l], tlb, __ATOMIC_RELEASE);
	return 0;
}

int
uiommu_lcore_online(struct uiommu_ctx *ctx)
{
	unsigned int l = rte_lcore_id();
	unsigned int h;
	int rc = 0;

	if (ctx == NULL || l >= RTE_MAX_LCORE)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->lcore_online[l])
		goto out;
	for (h = 0; h < UIOMMU_MAX_HW; h++) {
		struct uiommu_hw *hw = ctx->hw[h];

		if (hw == NULL)
			continue;
		rc = ctx_lcore_attach_hw(ctx, hw, l);
		if (rc != 0)
			goto err_detach;
	}
	rte_rcu_qsbr_thread_register(ctx->fast.qsbr, l);
	/* Full fence inside: publishes the IOTLBs before any walk. */
	rte_rcu_qsbr_thread_online(ctx->fast.qsbr, l);
	ctx->lcore_online[l] = true;
	/* Whatever was posted while offline is stale or already covered:
	 * start from empty IOTLBs. */
	for (h = 0; h < UIOMMU_MAX_HW; h++)
		if (ctx->hw[h] != NULL)
			iotlb_flush(ctx->hw[h]->iotlb_mem[l]);
	uiommu__lcore_drain(&ctx->fast, l);
	goto out;

err_detach:
	while (h-- > 0)
		if (ctx->hw[h] != NULL)
			__atomic_store_n(&ctx->hw[h]->iotlb[l], NULL,
					 __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

int
uiommu_lcore_offline(struct uiommu_ctx *ctx)
{
	unsigned int l = rte_lcore_id();
	unsigned int h;

	if (ctx == NULL || l >= RTE_MAX_LCORE)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->lcore_online[l]) {
		pthread_mutex_unlock(&ctx->lock);
		return -EINVAL;
	}
	for (h = 0; h < UIOMMU_MAX_HW; h++)
		if (ctx->hw[h] != NULL)
			__atomic_store_n(&ctx->hw[h]->iotlb[l], NULL,
					 __ATOMIC_RELEASE);
	rte_rcu_qsbr_thread_offline(ctx->fast.qsbr, l);
	ctx->lcore_online[l] = false;
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

uint32_t
uiommu_obj_id(const void *obj)
{
	return obj == NULL ? 0 : ((const struct uiommu_obj *)obj)->id;
}

uint32_t
uiommu_port_id(const struct uiommu_port *port)
{
	return port == NULL ? 0 : port_obj(port)->obj.id;
}

uint32_t
uiommu_obj_refcnt(const void *obj)
{
	return obj == NULL ? 0 : ((const struct uiommu_obj *)obj)->refcnt;
}

unsigned int
uiommu_ctx_obj_count(const struct uiommu_ctx *ctx, enum uiommu_obj_type type)
{
	const struct uiommu_obj *obj;
	unsigned int n = 0;

	if (ctx == NULL || type < UIOMMU_OBJ_HW || type > UIOMMU_OBJ_PORT)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&ctx->lock);
	TAILQ_FOREACH(obj, &ctx->objs[type], next)
		n++;
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&ctx->lock);
	return n;
}

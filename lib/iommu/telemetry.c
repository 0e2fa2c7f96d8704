/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: the /uiommu/ endpoints of DPDK's telemetry socket
 * (usertools/dpdk-telemetry.py), answering from the live contexts.
 *
 *   /uiommu/ctx                        ids of the live contexts
 *   /uiommu/hw[,<ctx>]                 hw instances: backend, caps, users
 *   /uiommu/hw_stats,[<ctx>:]<hw>      lcore counters summed, faults by reason
 *   /uiommu/lcore_stats,[<ctx>:]<hw>   the same counters, per lcore
 *   /uiommu/faults,[<ctx>:]<hw>        the recent fault records, oldest first
 *   /uiommu/domains[,<ctx>]            domains: hw, type, format, users
 *   /uiommu/devices[,<ctx>]            devices: hw, StreamID, attachments
 *
 * Object ids are unique within a context only, so an object is named by
 * "<ctx id>:<id>" and a listing takes a context id; either may be left out
 * while exactly one context is live. Listings are dicts keyed by object id
 * whose values are dicts of plain values (DPDK 22.11 nests no deeper).
 * Errors (the handler returns a negative errno and the client sees null):
 * -EINVAL for missing or malformed parameters, or a context left out while
 * several are live; -ENOENT for a context or hw that does not exist.
 *
 * Who writes, who reads, what makes it safe
 * -----------------------------------------
 * - tel_ctxs, the list of live contexts, and each ctx's tel_id and
 *   tel_users: written by uiommu_ctx_create() (add, at the end) and
 *   uiommu_ctx_destroy() (delete, first thing), read by the callbacks; all
 *   under tel_lock.
 * - The callbacks run on the telemetry threads (one per client), concurrently
 *   with the control plane. A callback finds its context under tel_lock,
 *   counts itself in ctx->tel_users and drops tel_lock before it takes
 *   ctx->lock: a context is never freed while a callback uses it
 *   (uiommu_ctx_destroy() unlinks it and waits on tel_cond for tel_users to
 *   reach 0, and takes ctx->lock only after that), and no thread ever waits
 *   for ctx->lock while holding tel_lock, so telemetry adds no lock order
 *   between contexts.
 * - Object lists, ids, refcounts, attachments: read under ctx->lock, as the
 *   control plane writes them. A domain's table size is read under
 *   dom->lock too, taken inside ctx->lock (the documented order).
 * - Per-lcore counters: read while the lcores write them, each 64-bit
 *   counter whole (as uiommu_hw_stats() does); the set is not a snapshot.
 *   Per-reason fault counters: relaxed atomic loads. Recent faults: the
 *   lock-free protocol of fault.c. The fast path is never touched: no
 *   callback writes anything an lcore reads, nor waits for an lcore.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "uiommu_private.h"

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tel_cond = PTHREAD_COND_INITIALIZER;
static TAILQ_HEAD(, uiommu_ctx) tel_ctxs = TAILQ_HEAD_INITIALIZER(tel_ctxs);
static uint32_t tel_next_id = 1;

void
telemetry_ctx_add(struct uiommu_ctx *ctx)
{
	pthread_mutex_lock(&tel_lock);
	ctx->tel_id = tel_next_id++;
	ctx->tel_users = 0;
	TAILQ_INSERT_TAIL(&tel_ctxs, ctx, tel_next);
	pthread_mutex_unlock(&tel_lock);
}

void
telemetry_ctx_del(struct uiommu_ctx *ctx)
{
	pthread_mutex_lock(&tel_lock);
	TAILQ_REMOVE(&tel_ctxs, ctx, tel_next);
	while (ctx->tel_users != 0)
		pthread_cond_wait(&tel_cond, &tel_lock);
	pthread_mutex_unlock(&tel_lock);
}

/*
 * The context a command names: @id, or the only live one when @id is 0.
 * On success it is held (tel_put() releases it). -EINVAL: id 0 with several
 * live contexts; -ENOENT: no such context.
 */
static int
tel_get(uint32_t id, struct uiommu_ctx **ctxp)
{
	struct uiommu_ctx *ctx, *found = NULL;
	unsigned int n = 0;
	int rc = 0;

	pthread_mutex_lock(&tel_lock);
	TAILQ_FOREACH(ctx, &tel_ctxs, tel_next) {
		n++;
		if (id == 0 || ctx->tel_id == id)
			found = ctx;
	}
	if (id == 0 && n > 1)
		rc = -EINVAL;
	else if (found == NULL)
		rc = -ENOENT;
	else
		found->tel_users++;
	pthread_mutex_unlock(&tel_lock);
	*ctxp = rc == 0 ? found : NULL;
	return rc;
}

static void
tel_put(struct uiommu_ctx *ctx)
{
	pthread_mutex_lock(&tel_lock);
	if (--ctx->tel_users == 0)
		pthread_cond_broadcast(&tel_cond);
	pthread_mutex_unlock(&tel_lock);
}

/* A decimal id in [1, UINT32_MAX] at *s, which moves past it. */
static int
tel_parse_id(const char **s, uint32_t *id)
{
	unsigned long long v;
	char *end;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(*s, &end, 10);
	if (errno != 0 || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*id = (uint32_t)v;
	*s = end;
	return 0;
}

/* "[<ctx>:]<id>" when @obj_id is wanted, "[<ctx>]" otherwise. A context id
 * left out is 0. */
static int
tel_parse(const char *params, uint32_t *ctx_id, uint32_t *obj_id)
{
	const char *s = params != NULL ? params : "";
	uint32_t a, b;

	*ctx_id = 0;
	if (obj_id == NULL) {
		if (*s == '\0')
			return 0;
		if (tel_parse_id(&s, ctx_id) != 0 || *s != '\0')
			return -EINVAL;
		return 0;
	}
	if (tel_parse_id(&s, &a) != 0)
		return -EINVAL;
	if (*s == '\0') {
		*obj_id = a;
		return 0;
	}
	if (*s++ != ':' || tel_parse_id(&s, &b) != 0 || *s != '\0')
		return -EINVAL;
	*ctx_id = a;
	*obj_id = b;
	return 0;
}

/* The hw named by @params, its context held and locked. */
static int
tel_get_hw(const char *params, struct uiommu_ctx **ctxp,
	   struct uiommu_hw **hwp)
{
	struct uiommu_ctx *ctx;
	struct uiommu_obj *obj;
	uint32_t ctx_id, hw_id;
	int rc;

	rc = tel_parse(params, &ctx_id, &hw_id);
	if (rc == 0)
		rc = tel_get(ctx_id, &ctx);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&ctx->lock);
	TAILQ_FOREACH(obj, &ctx->objs[UIOMMU_OBJ_HW], next) {
		if (obj->id == hw_id) {
			*ctxp = ctx;
			*hwp = container_of(obj, struct uiommu_hw, obj);
			return 0;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	tel_put(ctx);
	return -ENOENT;
}

/* The context of a listing, held and locked. */
static int
tel_get_list(const char *params, struct uiommu_ctx **ctxp)
{
	uint32_t ctx_id;
	int rc;

	rc = tel_parse(params, &ctx_id, NULL);
	if (rc == 0)
		rc = tel_get(ctx_id, ctxp);
	if (rc == 0)
		pthread_mutex_lock(&(*ctxp)->lock);
	return rc;
}

static void
tel_release(struct uiommu_ctx *ctx)
{
	pthread_mutex_unlock(&ctx->lock);
	tel_put(ctx);
}

/*
 * Add @val to @d under the decimal key @key; @val is freed if the dict is
 * full (the telemetry library frees it otherwise).
 */
static void
tel_add_obj(struct rte_tel_data *d, uint64_t key, struct rte_tel_data *val)
{
	char name[24];

	snprintf(name, sizeof(name), "%" PRIu64, key);
	if (rte_tel_data_add_dict_container(d, name, val, 0) < 0)
		rte_tel_data_free(val);
}

static const char *
tel_fmt_name(enum uiommu_iopt_fmt fmt)
{
	static const char *const names[UIOMMU_IOPT_FMT_MAX] = {
		[UIOMMU_IOPT_DEFAULT] = "default",
		[UIOMMU_IOPT_ARM_LPAE_S1] = "arm_lpae_s1",
		[UIOMMU_IOPT_ARM_LPAE_S2] = "arm_lpae_s2",
		[UIOMMU_IOPT_VTD_FL] = "vtd_fl",
		[UIOMMU_IOPT_VTD_SL] = "vtd_sl",
	};

	return (unsigned int)fmt < RTE_DIM(names) && names[fmt] != NULL ?
	       names[fmt] : "unknown";
}

static const char *
tel_domain_type_name(enum uiommu_domain_type type)
{
	switch (type) {
	case UIOMMU_DOMAIN_PAGING:
		return "paging";
	case UIOMMU_DOMAIN_IDENTITY:
		return "identity";
	case UIOMMU_DOMAIN_BLOCKED:
		return "blocked";
	case UIOMMU_DOMAIN_NESTED:
		return "nested";
	}
	return "unknown";
}

/* Dict keys may hold letters, digits and '_': "fault_access_flag". */
static void
tel_reason_key(enum uiommu_fault_reason reason, char *key, size_t size)
{
	char *c;

	snprintf(key, size, "fault_%s", uiommu_fault_reason_str(reason));
	for (c = key; *c != '\0'; c++)
		if (*c == '-')
			*c = '_';
}

static int
tel_cmd_ctx(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	struct uiommu_ctx *ctx;

	rte_tel_data_start_array(d, RTE_TEL_U64_VAL);
	pthread_mutex_lock(&tel_lock);
	TAILQ_FOREACH(ctx, &tel_ctxs, tel_next)
		rte_tel_data_add_array_u64(d, ctx->tel_id);
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

/* Objects of @type in @hw's context that use @hw. ctx->lock held. */
static unsigned int
tel_hw_users(const struct uiommu_hw *hw, enum uiommu_obj_type type)
{
	const struct uiommu_obj *obj;
	unsigned int n = 0;

	TAILQ_FOREACH(obj, &hw->obj.ctx->objs[type], next) {
		const struct uiommu_hw *owner = type == UIOMMU_OBJ_DEV ?
			container_of(obj, struct uiommu_dev, obj)->hw :
			container_of(obj, struct uiommu_domain, obj)->hw;

		n += owner == hw;
	}
	return n;
}

/* ctx->lock held. */
static struct rte_tel_data *
tel_hw_info(const struct uiommu_hw *hw)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	const struct uiommu_hw_caps *caps = &hw->caps;
	unsigned int l, lcores = 0;

	if (d == NULL)
		return NULL;
	for (l = 0; l < RTE_MAX_LCORE; l++)
		lcores += hw->iotlb_mem[l] != NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", hw->obj.id);
	rte_tel_data_add_dict_string(d, "backend", hw->ops->name);
	rte_tel_data_add_dict_u64(d, "refcnt", hw->obj.refcnt);
	rte_tel_data_add_dict_u64(d, "devices",
				  tel_hw_users(hw, UIOMMU_OBJ_DEV));
	rte_tel_data_add_dict_u64(d, "domains",
				  tel_hw_users(hw, UIOMMU_OBJ_DOMAIN));
	rte_tel_data_add_dict_u64(d, "lcores", lcores);
	rte_tel_data_add_dict_u64(d, "pgsize_bitmap", caps->pgsize_bitmap);
	rte_tel_data_add_dict_u64(d, "ias", caps->ias);
	rte_tel_data_add_dict_u64(d, "oas", caps->oas);
	rte_tel_data_add_dict_u64(d, "pasid_bits", caps->pasid_bits);
	rte_tel_data_add_dict_u64(d, "stages", caps->stages);
	rte_tel_data_add_dict_u64(d, "ats", caps->ats);
	rte_tel_data_add_dict_u64(d, "pri", caps->pri);
	rte_tel_data_add_dict_u64(d, "tlb_tag_pasid", caps->tlb_tag_pasid);
	rte_tel_data_add_dict_u64(d, "tag_bits", caps->tag_bits);
	rte_tel_data_add_dict_string(d, "s1_fmt", tel_fmt_name(caps->s1_fmt));
	rte_tel_data_add_dict_string(d, "s2_fmt", tel_fmt_name(caps->s2_fmt));
	rte_tel_data_add_dict_u64(d, "fault_queue",
				  rte_ring_count(hw->faultq));
	return d;
}

/*
 * A listing command: a dict of the objects of @type in the context that
 * @params names (or the only one), each described by @info (called with
 * ctx->lock held). No context at all: an empty dict.
 */
static int
tel_list(const char *params, struct rte_tel_data *d, enum uiommu_obj_type type,
	 struct rte_tel_data *(*info)(struct uiommu_obj *obj))
{
	struct uiommu_ctx *ctx;
	struct uiommu_obj *obj;
	int rc;

	rc = tel_get_list(params, &ctx);
	if (rc == -ENOENT && (params == NULL || *params == '\0')) {
		rte_tel_data_start_dict(d);	/* no context: nothing */
		return 0;
	}
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	TAILQ_FOREACH(obj, &ctx->objs[type], next) {
		struct rte_tel_data *od = info(obj);

		if (od != NULL)
			tel_add_obj(d, obj->id, od);
	}
	tel_release(ctx);
	return 0;
}

static struct rte_tel_data *
tel_hw_info_obj(struct uiommu_obj *obj)
{
	return tel_hw_info(container_of(obj, struct uiommu_hw, obj));
}

static int
tel_cmd_hw(const char *cmd __rte_unused, const char *params,
	   struct rte_tel_data *d)
{
	return tel_list(params, d, UIOMMU_OBJ_HW, tel_hw_info_obj);
}

static void
tel_add_lcore_stats(struct rte_tel_data *d, const struct uiommu_lcore_stats *s)
{
	rte_tel_data_add_dict_u64(d, "hits", s->hits);
	rte_tel_data_add_dict_u64(d, "misses", s->misses);
	rte_tel_data_add_dict_u64(d, "walks", s->walks);
	rte_tel_data_add_dict_u64(d, "faults", s->faults);
	rte_tel_data_add_dict_u64(d, "invalidations", s->invalidations);
	rte_tel_data_add_dict_u64(d, "inv_entries", s->inv_entries);
	rte_tel_data_add_dict_u64(d, "flushes", s->flushes);
	rte_tel_data_add_dict_u64(d, "fault_drops", s->fault_drops);
}

static int
tel_cmd_hw_stats(const char *cmd __rte_unused, const char *params,
		 struct rte_tel_data *d)
{
	uint64_t reasons[UIOMMU_FAULT_REASON_MAX];
	struct uiommu_lcore_stats s;
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	char key[48];
	unsigned int r;
	int rc;

	rc = tel_get_hw(params, &ctx, &hw);
	if (rc != 0)
		return rc;
	uiommu_hw_stats(hw, RTE_MAX_LCORE, &s);
	uiommu_hw_fault_stats(hw, reasons, RTE_DIM(reasons));
	rte_tel_data_start_dict(d);
	tel_add_lcore_stats(d, &s);
	rte_tel_data_add_dict_u64(d, "nolcore_faults",
			__atomic_load_n(&hw->nolcore_faults, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "fault_queue", rte_ring_count(hw->faultq));
	for (r = UIOMMU_FAULT_NONE + 1; r < UIOMMU_FAULT_REASON_MAX; r++) {
		tel_reason_key(r, key, sizeof(key));
		rte_tel_data_add_dict_u64(d, key, reasons[r]);
	}
	tel_release(ctx);
	return 0;
}

static int
tel_cmd_lcore_stats(const char *cmd __rte_unused, const char *params,
		    struct rte_tel_data *d)
{
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	unsigned int l;
	int rc;

	rc = tel_get_hw(params, &ctx, &hw);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	/* IOTLBs are freed only with the hw, under ctx->lock. */
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct uiommu_lcore_stats s;
		struct rte_tel_data *ld;

		if (hw->iotlb_mem[l] == NULL)
			continue;
		ld = rte_tel_data_alloc();
		if (ld == NULL)
			break;
		uiommu_hw_stats(hw, l, &s);
		rte_tel_data_start_dict(ld);
		tel_add_lcore_stats(ld, &s);
		rte_tel_data_add_dict_int(ld, "online",
			__atomic_load_n(&hw->iotlb[l], __ATOMIC_RELAXED) !=
			NULL);
		tel_add_obj(d, l, ld);
	}
	tel_release(ctx);
	return 0;
}

static const char *
tel_access_name(uint8_t access)
{
	switch (access & (UIOMMU_ACCESS_READ | UIOMMU_ACCESS_WRITE)) {
	case UIOMMU_ACCESS_READ:
		return "read";
	case UIOMMU_ACCESS_WRITE:
		return "write";
	case UIOMMU_ACCESS_READ | UIOMMU_ACCESS_WRITE:
		return "read_write";
	}
	return "none";
}

static struct rte_tel_data *
tel_fault_info(const struct uiommu_fault *f)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "reason",
				     uiommu_fault_reason_str(f->reason));
	rte_tel_data_add_dict_u64(d, "iova", f->iova);
	rte_tel_data_add_dict_u64(d, "sid", f->sid);
	/* -1: no PASID (UIOMMU_PASID_NONE), or no lcore. */
	rte_tel_data_add_dict_int(d, "pasid", f->pasid == UIOMMU_PASID_NONE ?
				  -1 : (int)f->pasid);
	rte_tel_data_add_dict_string(d, "access", tel_access_name(f->access));
	rte_tel_data_add_dict_u64(d, "level", f->level);
	rte_tel_data_add_dict_int(d, "lcore", f->lcore_id >= RTE_MAX_LCORE ?
				  -1 : (int)f->lcore_id);
	return d;
}

static int
tel_cmd_faults(const char *cmd __rte_unused, const char *params,
	       struct rte_tel_data *d)
{
	struct uiommu_fault faults[UIOMMU_FAULT_RECENT];
	uint64_t seq[UIOMMU_FAULT_RECENT];
	struct uiommu_ctx *ctx;
	struct uiommu_hw *hw;
	unsigned int i, n;
	int rc;

	rc = tel_get_hw(params, &ctx, &hw);
	if (rc != 0)
		return rc;
	n = fault_recent_read(hw, faults, seq, RTE_DIM(faults));
	tel_release(ctx);
	/* Keyed by sequence number: the order is the order of the reports. */
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++) {
		struct rte_tel_data *fd = tel_fault_info(&faults[i]);

		if (fd != NULL)
			tel_add_obj(d, seq[i], fd);
	}
	return 0;
}

/* Ports of @dom. ctx->lock held. */
static unsigned int
tel_domain_ports(const struct uiommu_domain *dom)
{
	const struct uiommu_obj *obj;
	unsigned int n = 0;

	TAILQ_FOREACH(obj, &dom->obj.ctx->objs[UIOMMU_OBJ_PORT], next)
		n += container_of(obj, struct uiommu_port_obj, obj)->dom == dom;
	return n;
}

/* ctx->lock held; takes dom->lock inside it. */
static struct rte_tel_data *
tel_domain_info(struct uiommu_domain *dom)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", dom->obj.id);
	rte_tel_data_add_dict_u64(d, "hw", dom->hw->obj.id);
	rte_tel_data_add_dict_string(d, "type",
				     tel_domain_type_name(dom->type));
	rte_tel_data_add_dict_u64(d, "refcnt", dom->obj.refcnt);
	rte_tel_data_add_dict_u64(d, "ports", tel_domain_ports(dom));
	if (dom->parent != NULL)
		rte_tel_data_add_dict_u64(d, "parent", dom->parent->obj.id);
	if (domain_has_iopt(dom)) {
		uint64_t n_tables;

		rte_tel_data_add_dict_string(d, "format",
					     tel_fmt_name(dom->iopt->cfg.fmt));
		rte_tel_data_add_dict_u64(d, "ias", dom->iopt->cfg.ias);
		/* Mapped bytes are not tracked; the table pages are. */
		pthread_mutex_lock(&dom->lock);
		n_tables = dom->iopt->n_tables;
		pthread_mutex_unlock(&dom->lock);
		rte_tel_data_add_dict_u64(d, "table_pages", n_tables);
	}
	return d;
}

static struct rte_tel_data *
tel_domain_info_obj(struct uiommu_obj *obj)
{
	return tel_domain_info(container_of(obj, struct uiommu_domain, obj));
}

static int
tel_cmd_domains(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	return tel_list(params, d, UIOMMU_OBJ_DOMAIN, tel_domain_info_obj);
}

/* ctx->lock held. */
static struct rte_tel_data *
tel_dev_info(const struct uiommu_dev *dev)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	const struct uiommu_obj *obj;
	char key[32];

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", dev->obj.id);
	rte_tel_data_add_dict_u64(d, "hw", dev->hw->obj.id);
	rte_tel_data_add_dict_u64(d, "sid", dev->sid);
	rte_tel_data_add_dict_u64(d, "pasid_bits", dev->pasid_bits);
	rte_tel_data_add_dict_u64(d, "ats", dev->ats);
	rte_tel_data_add_dict_u64(d, "refcnt", dev->obj.refcnt);
	/* Attachments: "domain" for the RID, "pasid_<n>" for PASID n; the
	 * value is the domain's id. */
	TAILQ_FOREACH(obj, &dev->obj.ctx->objs[UIOMMU_OBJ_PORT], next) {
		const struct uiommu_port_obj *po =
			container_of(obj, struct uiommu_port_obj, obj);

		if (po->dev != dev)
			continue;
		if (po->port.pasid == UIOMMU_PASID_NONE)
			snprintf(key, sizeof(key), "domain");
		else
			snprintf(key, sizeof(key), "pasid_%" PRIu32,
				 po->port.pasid);
		rte_tel_data_add_dict_u64(d, key, po->dom->obj.id);
	}
	return d;
}

static struct rte_tel_data *
tel_dev_info_obj(struct uiommu_obj *obj)
{
	return tel_dev_info(container_of(obj, struct uiommu_dev, obj));
}

static int
tel_cmd_devices(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	return tel_list(params, d, UIOMMU_OBJ_DEV, tel_dev_info_obj);
}

static const struct {
	const char *name;
	telemetry_cb fn;
	const char *help;
} tel_cmds[] = {
	{ "/uiommu/ctx", tel_cmd_ctx,
	  "Ids of the live uiommu contexts. No parameters" },
	{ "/uiommu/hw", tel_cmd_hw,
	  "IOMMU instances: backend, caps, users. Parameter: [ctx id]" },
	{ "/uiommu/hw_stats", tel_cmd_hw_stats,
	  "Counters of one hw, summed over lcores, and faults by reason. "
	  "Parameters: [ctx id:]hw id" },
	{ "/uiommu/lcore_stats", tel_cmd_lcore_stats,
	  "Counters of one hw, per lcore. Parameters: [ctx id:]hw id" },
	{ "/uiommu/faults", tel_cmd_faults,
	  "Recent fault records of one hw, oldest first, without consuming "
	  "the fault queue. Parameters: [ctx id:]hw id" },
	{ "/uiommu/domains", tel_cmd_domains,
	  "Domains: hw, type, format, users. Parameter: [ctx id]" },
	{ "/uiommu/devices", tel_cmd_devices,
	  "Devices: hw, StreamID, attached domains by PASID. "
	  "Parameter: [ctx id]" },
};

telemetry_cb
telemetry_cmd_find(const char *cmd)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(tel_cmds); i++)
		if (strcmp(tel_cmds[i].name, cmd) == 0)
			return tel_cmds[i].fn;
	return NULL;
}

/* Constructors run before main(); telemetry serves the commands once EAL
 * has started it. */
RTE_INIT(uiommu_telemetry_init)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(tel_cmds); i++)
		rte_telemetry_register_cmd(tel_cmds[i].name, tel_cmds[i].fn,
					   tel_cmds[i].help);
}

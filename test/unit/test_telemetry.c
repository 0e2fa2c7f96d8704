/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry (lib/iommu/telemetry.c) and the recent-faults ring behind
 * /uiommu/faults (lib/iommu/fault.c).
 *
 * Content is checked the way dpdk-telemetry.py sees it: each test's EAL runs
 * the telemetry socket, the test connects to it, sends a command and parses
 * the JSON reply (jansson). The error contract is checked on the handlers
 * themselves, found by name (telemetry_cmd_find()), since over the socket
 * every error is just null.
 *
 * The context: one "direct" hw; device SID with PASIDs; a PAGING domain
 * (RID and PASID_PAGING attached, one page mapped) and a BLOCKED one
 * (PASID_BLOCKED attached).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include <rte_telemetry.h>

#include "uiommu_private.h"
#include "uiommu_test.h"

#define SID		0x42u
#define PASID_PAGING	3u
#define PASID_BLOCKED	5u
#define MAPPED_IOVA	0x100000ull
/* Nothing is mapped here: an access faults with TRANSLATION. */
#define FAULT_IOVA(i)	(0x7000000ull + (uint64_t)(i) * SZ_4K)

static struct uiommu_ctx *ctx;
static struct uiommu_hw *hw;
static struct uiommu_dev *dev;
static struct uiommu_domain *dom, *blocked;
static struct uiommu_port *rid_port, *paging_port, *blocked_port;
static void *page;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* As test_eal_init(), with the telemetry socket on. */
static void
eal_init_with_telemetry(void)
{
	char lcores[16], prefix[64];
	char *argv[] = {
		"test_telemetry", "--no-huge", "-m", "512", "--no-pci",
		"-l", lcores, "--no-shconf", "--log-level=lib.eal:error",
		"--log-level=lib.telemetry:error",
		prefix,
	};

	snprintf(lcores, sizeof(lcores), "%d", test_first_allowed_cpu());
	snprintf(prefix, sizeof(prefix), "--file-prefix=uiommu_test_%d",
		 (int)getpid());
	cr_assert_geq(rte_eal_init(RTE_DIM(argv), argv), 0,
		      "rte_eal_init: %s", rte_strerror(rte_errno));
	cr_assert_lt(snprintf(sock_path, sizeof(sock_path),
			      "%s/dpdk_telemetry.v2",
			      rte_eal_get_runtime_dir()),
		     (int)sizeof(sock_path));
}

/* The telemetry socket outlives rte_eal_cleanup(): remove what is in the
 * runtime directory (this process's own), then the directory. */
static void
eal_cleanup_with_telemetry(void)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = opendir(dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void
suite_init(void)
{
	struct uiommu_dev_params dp = { .pasid_bits = 4 };

	eal_init_with_telemetry();
	ctx = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx, "rte_errno %d", rte_errno);
	cr_assert_eq(uiommu_lcore_online(ctx), 0);
	hw = uiommu_hw_create(ctx, "direct", NULL);
	cr_assert_not_null(hw, "rte_errno %d", rte_errno);
	dev = uiommu_dev_create(hw, SID, &dp);
	dom = uiommu_domain_create(hw, UIOMMU_DOMAIN_PAGING, NULL);
	blocked = uiommu_domain_create(hw, UIOMMU_DOMAIN_BLOCKED, NULL);
	cr_assert(dev != NULL && dom != NULL && blocked != NULL,
		  "rte_errno %d", rte_errno);
	page = rte_zmalloc(NULL, SZ_4K, SZ_4K);
	cr_assert_not_null(page);
	cr_assert_eq(uiommu_map(dom, MAPPED_IOVA, page, SZ_4K, PROT_RW), 0);
	rid_port = uiommu_attach(dev, dom);
	paging_port = uiommu_attach_pasid(dev, PASID_PAGING, dom);
	blocked_port = uiommu_attach_pasid(dev, PASID_BLOCKED, blocked);
	cr_assert(rid_port != NULL && paging_port != NULL &&
		  blocked_port != NULL, "rte_errno %d", rte_errno);
}

/* Criterion 2.4 ignores failures in .fini: check nothing here. */
static void
suite_fini(void)
{
	uiommu_ctx_destroy(ctx);
	rte_free(page);
	eal_cleanup_with_telemetry();
}

TestSuite(telemetry, .init = suite_init, .fini = suite_fini, .timeout = 60);

/* ------------------------------------------------------------ client -- */

/*
 * Send "@cmd" (with its parameters) to the telemetry socket, as
 * dpdk-telemetry.py does, and return the value of the reply's only key:
 * new reference, JSON null for an error.
 */
static json_t *
tel_query(const char *cmd)
{
	static char buf[64 * 1024];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	json_error_t err;
	json_t *root, *val = NULL;
	const char *key;
	ssize_t n;
	int s;

	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	cr_assert_geq(s, 0);
	memcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	cr_assert_eq(connect(s, (struct sockaddr *)&sun, sizeof(sun)), 0,
		     "connect %s: %s", sock_path, strerror(errno));
	/* The server greets with its version and limits first. */
	cr_assert_gt(recv(s, buf, sizeof(buf) - 1, 0), 0);
	cr_assert_eq(send(s, cmd, strlen(cmd), 0), (ssize_t)strlen(cmd));
	n = recv(s, buf, sizeof(buf) - 1, 0);
	close(s);
	cr_assert_gt(n, 0, "%s: no reply", cmd);
	buf[n] = '\0';
	root = json_loads(buf, 0, &err);
	cr_assert_not_null(root, "%s: bad JSON (%s): %s", cmd, err.text, buf);
	cr_assert_eq(json_object_size(root), 1, "%s: %s", cmd, buf);
	json_object_foreach(root, key, val)
		json_incref(val);
	json_decref(root);
	return val;
}

/* @obj[@key], which must be there. */
static json_t *
member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert_not_null(v, "no \"%s\" in %s", key,
			   json_dumps(obj, JSON_COMPACT));
	return v;
}

/* @obj[@id] as the decimal key listings use. */
static json_t *
member_id(json_t *obj, uint64_t id)
{
	char key[24];

	snprintf(key, sizeof(key), "%" PRIu64, id);
	return member(obj, key);
}

static uint64_t
num(json_t *obj, const char *key)
{
	json_t *v = member(obj, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return (uint64_t)json_integer_value(v);
}

static const char *
str(json_t *obj, const char *key)
{
	json_t *v = member(obj, key);

	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

/* "<cmd>,<hw id>" */
static json_t *
tel_query_hw(const char *cmd, const struct uiommu_hw *h)
{
	char line[128];

	snprintf(line, sizeof(line), "%s,%u", cmd, uiommu_obj_id(h));
	return tel_query(line);
}

/* The handler behind @cmd, called directly. */
static int
tel_call(const char *cmd, const char *params)
{
	telemetry_cb fn = telemetry_cmd_find(cmd);
	struct rte_tel_data *d = rte_tel_data_alloc();
	int rc;

	cr_assert_not_null(fn, "no handler for %s", cmd);
	cr_assert_not_null(d);
	rc = fn(cmd, params, d);
	rte_tel_data_free(d);
	return rc;
}

static void
fault_translation(unsigned int i)
{
	cr_assert_null(uiommu_translate(paging_port, FAULT_IOVA(i), 8,
					UIOMMU_ACCESS_READ));
}

static void
fault_blocked(void)
{
	cr_assert_null(uiommu_translate(blocked_port, MAPPED_IOVA, 8,
					UIOMMU_ACCESS_WRITE));
}

/* ------------------------------------------------------------- tests -- */

Test(telemetry, ctx_lists_live_contexts)
{
	struct uiommu_ctx *ctx2;
	json_t *ids;
	uint64_t id1, id2;

	ids = tel_query("/uiommu/ctx");
	cr_assert(json_is_array(ids));
	cr_assert_eq(json_array_size(ids), 1);
	id1 = (uint64_t)json_integer_value(json_array_get(ids, 0));
	cr_assert_eq(id1, ctx->tel_id);
	json_decref(ids);

	ctx2 = uiommu_ctx_create(NULL);
	cr_assert_not_null(ctx2);
	ids = tel_query("/uiommu/ctx");
	cr_assert_eq(json_array_size(ids), 2);
	id2 = (uint64_t)json_integer_value(json_array_get(ids, 1));
	cr_assert_neq(id2, id1);
	json_decref(ids);

	cr_assert_eq(uiommu_ctx_destroy(ctx2), 0);
	ids = tel_query("/uiommu/ctx");
	cr_assert_eq(json_array_size(ids), 1);
	cr_assert_eq((uint64_t)json_integer_value(json_array_get(ids, 0)),
		     id1);
	json_decref(ids);
}

Test(telemetry, hw_shows_backend_caps_and_users)
{
	struct uiommu_hw_caps caps;
	json_t *all = tel_query("/uiommu/hw"), *h;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(json_object_size(all), 1);
	h = member_id(all, uiommu_obj_id(hw));
	cr_assert_eq(num(h, "id"), uiommu_obj_id(hw));
	cr_assert_str_eq(str(h, "backend"), "direct");
	/* One device and two domains hold it. */
	cr_assert_eq(num(h, "refcnt"), 3);
	cr_assert_eq(num(h, "refcnt"), uiommu_obj_refcnt(hw));
	cr_assert_eq(num(h, "devices"), 1);
	cr_assert_eq(num(h, "domains"), 2);
	cr_assert_eq(num(h, "lcores"), 1);
	cr_assert_eq(num(h, "pgsize_bitmap"), caps.pgsize_bitmap);
	cr_assert_eq(num(h, "ias"), caps.ias);
	cr_assert_eq(num(h, "pasid_bits"), caps.pasid_bits);
	cr_assert_eq(num(h, "stages"), caps.stages);
	cr_assert_eq(num(h, "fault_queue"), 0);
	json_decref(all);
}

Test(telemetry, hw_stats_sum_lcores_and_count_faults_by_reason)
{
	struct uiommu_lcore_stats s;
	unsigned int r;
	json_t *st;

	cr_assert_not_null(uiommu_translate(paging_port, MAPPED_IOVA, 8,
					    UIOMMU_ACCESS_READ));
	fault_translation(0);
	fault_translation(1);
	fault_blocked();
	st = tel_query_hw("/uiommu/hw_stats", hw);
	cr_assert_eq(uiommu_hw_stats(hw, RTE_MAX_LCORE, &s), 0);
	cr_assert_eq(num(st, "hits"), s.hits);
	cr_assert_eq(num(st, "misses"), s.misses);
	cr_assert_eq(num(st, "walks"), s.walks);
	cr_assert_geq(s.walks, 1);
	cr_assert_eq(num(st, "faults"), 3);
	cr_assert_eq(num(st, "fault_queue"), 3);
	cr_assert_eq(num(st, "fault_translation"), 2);
	cr_assert_eq(num(st, "fault_blocked"), 1);
	for (r = UIOMMU_FAULT_NONE + 1; r < UIOMMU_FAULT_REASON_MAX; r++) {
		char key[64], *c;

		snprintf(key, sizeof(key), "fault_%s",
			 uiommu_fault_reason_str(r));
		for (c = key; *c != '\0'; c++)
			if (*c == '-')
				*c = '_';
		if (r != UIOMMU_FAULT_TRANSLATION && r != UIOMMU_FAULT_BLOCKED)
			cr_assert_eq(num(st, key), 0, "%s", key);
	}
	json_decref(st);
}

Test(telemetry, lcore_stats_are_per_lcore)
{
	json_t *all, *l;

	fault_translation(0);
	all = tel_query_hw("/uiommu/lcore_stats", hw);
	cr_assert_eq(json_object_size(all), 1);
	l = member_id(all, rte_lcore_id());
	cr_assert_eq(num(l, "faults"), 1);
	cr_assert_eq(num(l, "online"), 1);
	json_decref(all);
}

Test(telemetry, domains_show_hw_type_format_and_users)
{
	struct uiommu_hw_caps caps;
	json_t *all = tel_query("/uiommu/domains"), *d;

	cr_assert_eq(uiommu_hw_get_caps(hw, &caps), 0);
	cr_assert_eq(json_object_size(all), 2);
	d = member_id(all, uiommu_obj_id(dom));
	cr_assert_eq(num(d, "hw"), uiommu_obj_id(hw));
	cr_assert_str_eq(str(d, "type"), "paging");
	cr_assert_str_eq(str(d, "format"),
			 caps.s1_fmt == UIOMMU_IOPT_ARM_LPAE_S1 ?
			 "arm_lpae_s1" :
			 caps.s1_fmt == UIOMMU_IOPT_VTD_FL ? "vtd_fl" : "?");
	/* The RID and one PASID. */
	cr_assert_eq(num(d, "refcnt"), 2);
	cr_assert_eq(num(d, "ports"), 2);
	cr_assert_geq(num(d, "table_pages"), 1);
	d = member_id(all, uiommu_obj_id(blocked));
	cr_assert_str_eq(str(d, "type"), "blocked");
	cr_assert_eq(num(d, "refcnt"), 1);
	cr_assert_null(json_object_get(d, "format"));
	json_decref(all);
}

Test(telemetry, devices_show_sid_and_attachments)
{
	json_t *all = tel_query("/uiommu/devices"), *d;
	char key[32];

	cr_assert_eq(json_object_size(all), 1);
	d = member_id(all, uiommu_obj_id(dev));
	cr_assert_eq(num(d, "hw"), uiommu_obj_id(hw));
	cr_assert_eq(num(d, "sid"), SID);
	cr_assert_eq(num(d, "refcnt"), 3);
	cr_assert_eq(num(d, "domain"), uiommu_obj_id(dom));
	snprintf(key, sizeof(key), "pasid_%u", PASID_PAGING);
	cr_assert_eq(num(d, key), uiommu_obj_id(dom));
	snprintf(key, sizeof(key), "pasid_%u", PASID_BLOCKED);
	cr_assert_eq(num(d, key), uiommu_obj_id(blocked));
	json_decref(all);

	/* A detached PASID is gone from the listing. */
	cr_assert_eq(uiommu_detach(blocked_port), 0);
	all = tel_query("/uiommu/devices");
	d = member_id(all, uiommu_obj_id(dev));
	cr_assert_null(json_object_get(d, key));
	json_decref(all);
}

Test(telemetry, faults_keep_the_last_n_in_order_without_consuming)
{
	const unsigned int n = UIOMMU_FAULT_RECENT + 5;
	struct uiommu_fault f[UIOMMU_FAULT_RECENT + 5];
	json_t *all, *rec;
	const char *key;
	unsigned int i = 0, pass;

	for (i = 0; i < n; i++)
		fault_translation(i);
	/* Twice: a read takes nothing away. */
	for (pass = 0; pass < 2; pass++) {
		all = tel_query_hw("/uiommu/faults", hw);
		cr_assert_eq(json_object_size(all), UIOMMU_FAULT_RECENT);
		i = n - UIOMMU_FAULT_RECENT;
		json_object_foreach(all, key, rec) {
			char want[24];

			snprintf(want, sizeof(want), "%u", i);
			cr_assert_str_eq(key, want, "record order");
			cr_assert_eq(num(rec, "iova"), FAULT_IOVA(i));
			cr_assert_str_eq(str(rec, "reason"), "translation");
			cr_assert_eq(num(rec, "sid"), SID);
			cr_assert_eq(num(rec, "pasid"), PASID_PAGING);
			cr_assert_str_eq(str(rec, "access"), "read");
			cr_assert_eq(num(rec, "lcore"), rte_lcore_id());
			i++;
		}
		cr_assert_eq(i, n);
		json_decref(all);
	}
	/* The queue still holds every record, oldest first. */
	cr_assert_eq(uiommu_hw_fault_read(hw, f, RTE_DIM(f)), (int)n);
	for (i = 0; i < n; i++)
		cr_assert_eq(f[i].iova, FAULT_IOVA(i));
	/* Consuming the queue leaves the recent records alone. */
	all = tel_query_hw("/uiommu/faults", hw);
	cr_assert_eq(json_object_size(all), UIOMMU_FAULT_RECENT);
	json_decref(all);
}

Test(telemetry, fault_recent_read_returns_the_newest_oldest_first)
{
	struct uiommu_fault f[UIOMMU_FAULT_RECENT];
	uint64_t seq[UIOMMU_FAULT_RECENT];
	unsigned int i;

	cr_assert_eq(fault_recent_read(hw, f, seq, RTE_DIM(f)), 0);
	for (i = 0; i < 6; i++)
		fault_translation(i);
	cr_assert_eq(fault_recent_read(hw, f, seq, 4), 4);
	for (i = 0; i < 4; i++) {
		cr_assert_eq(seq[i], 2 + i);
		cr_assert_eq(f[i].iova, FAULT_IOVA(2 + i));
	}
	cr_assert_eq(fault_recent_read(hw, f, seq, RTE_DIM(f)), 6);
	cr_assert_eq(f[0].iova, FAULT_IOVA(0));
}

Test(telemetry, unknown_hw_or_context_is_enoent)
{
	char params[32];
	json_t *v;

	cr_assert_eq(tel_call("/uiommu/hw_stats", "999"), -ENOENT);
	cr_assert_eq(tel_call("/uiommu/lcore_stats", "999"), -ENOENT);
	cr_assert_eq(tel_call("/uiommu/faults", "999"), -ENOENT);
	/* A dev's id is not a hw's. */
	snprintf(params, sizeof(params), "%u", uiommu_obj_id(dev));
	cr_assert_eq(tel_call("/uiommu/hw_stats", params), -ENOENT);
	snprintf(params, sizeof(params), "999:%u", uiommu_obj_id(hw));
	cr_assert_eq(tel_call("/uiommu/hw_stats", params), -ENOENT);
	cr_assert_eq(tel_call("/uiommu/domains", "999"), -ENOENT);
	v = tel_query("/uiommu/hw_stats,999");
	cr_assert(json_is_null(v));
	json_decref(v);
}

Test(telemetry, missing_or_malformed_params_are_einval)
{
	static const char *const cmds[] = {
		"/uiommu/hw_stats", "/uiommu/lcore_stats", "/uiommu/faults",
	};
	static const char *const bad[] = {
		"", "x", "-1", "0", "1x", "1:", ":1", "1:2:3", "4294967296",
	};
	unsigned int c, b;
	json_t *v;

	for (c = 0; c < RTE_DIM(cmds); c++) {
		cr_assert_eq(tel_call(cmds[c], NULL), -EINVAL, "%s", cmds[c]);
		for (b = 0; b < RTE_DIM(bad); b++)
			cr_assert_eq(tel_call(cmds[c], bad[b]), -EINVAL,
				     "%s,%s", cmds[c], bad[b]);
	}
	cr_assert_eq(tel_call("/uiommu/devices", "x"), -EINVAL);
	cr_assert_eq(tel_call("/uiommu/hw", "1:1"), -EINVAL);
	v = tel_query("/uiommu/faults");
	cr_assert(json_is_null(v));
	json_decref(v);
}

Test(telemetry, ctx_id_names_the_context_when_several_live)
{
	struct uiommu_ctx *ctx2 = uiommu_ctx_create(NULL);
	struct uiommu_hw *hw2;
	char line[64];
	json_t *v;

	cr_assert_not_null(ctx2);
	hw2 = uiommu_hw_create(ctx2, "direct", NULL);
	cr_assert_not_null(hw2);
	/* Both hw instances have id 1 in their own context. */
	cr_assert_eq(uiommu_obj_id(hw2), uiommu_obj_id(hw));
	snprintf(line, sizeof(line), "%u", uiommu_obj_id(hw));
	cr_assert_eq(tel_call("/uiommu/hw_stats", line), -EINVAL);
	cr_assert_eq(tel_call("/uiommu/hw", NULL), -EINVAL);

	fault_translation(0);
	snprintf(line, sizeof(line), "/uiommu/hw_stats,%u:%u", ctx->tel_id,
		 uiommu_obj_id(hw));
	v = tel_query(line);
	cr_assert_eq(num(v, "faults"), 1);
	json_decref(v);
	snprintf(line, sizeof(line), "/uiommu/hw_stats,%u:%u", ctx2->tel_id,
		 uiommu_obj_id(hw2));
	v = tel_query(line);
	cr_assert_eq(num(v, "faults"), 0);
	json_decref(v);
	snprintf(line, sizeof(line), "/uiommu/hw,%u", ctx2->tel_id);
	v = tel_query(line);
	cr_assert_str_eq(str(member_id(v, uiommu_obj_id(hw2)), "backend"),
			 "direct");
	json_decref(v);
	cr_assert_eq(uiommu_ctx_destroy(ctx2), 0);
}

static bool stop_queries;

/* Query over the socket until told to stop (no asserts off the main
 * thread); returns the number of failed exchanges. */
static void *
query_loop(void *arg __rte_unused)
{
	static const char *const cmds[] = {
		"/uiommu/ctx", "/uiommu/hw", "/uiommu/domains",
		"/uiommu/devices", "/uiommu/hw_stats,1", "/uiommu/faults,1",
	};
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static char buf[64 * 1024];
	uintptr_t failed = 0;
	unsigned int i = 0;

	memcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	while (!__atomic_load_n(&stop_queries, __ATOMIC_RELAXED)) {
		const char *cmd = cmds[i++ % RTE_DIM(cmds)];
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (s < 0 ||
		    connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
		    recv(s, buf, sizeof(buf), 0) <= 0 ||
		    send(s, cmd, strlen(cmd), 0) != (ssize_t)strlen(cmd) ||
		    recv(s, buf, sizeof(buf), 0) <= 0)
			failed++;
		if (s >= 0)
			close(s);
	}
	return (void *)failed;
}

/* Contexts come and go under a reader; under ASan this is the check that
 * no callback reads a freed context. */
Test(telemetry, contexts_come_and_go_under_queries)
{
	pthread_t reader;
	void *failed;
	unsigned int i;

	cr_assert_eq(pthread_create(&reader, NULL, query_loop, NULL), 0);
	for (i = 0; i < 200; i++) {
		struct uiommu_ctx *c = uiommu_ctx_create(NULL);
		struct uiommu_hw *h;

		cr_assert_not_null(c);
		h = uiommu_hw_create(c, "direct", NULL);
		cr_assert_not_null(h);
		cr_assert_not_null(uiommu_domain_create(h,
				UIOMMU_DOMAIN_BLOCKED, NULL));
		cr_assert_eq(uiommu_ctx_destroy(c), 0);
	}
	__atomic_store_n(&stop_queries, true, __ATOMIC_RELAXED);
	cr_assert_eq(pthread_join(reader, &failed), 0);
	cr_assert_eq((uintptr_t)failed, 0, "%" PRIuPTR " failed queries",
		     (uintptr_t)failed);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_iommu: the ethdev side. devargs, probe/remove, dev_ops, queues,
 * statistics, and the vdev driver's dma_map/dma_unmap.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "net_iommu.h"
#include "uiommu_net_iommu.h"
#include "uiommu_smmu_sim.h"
#include "uiommu_vtd_sim.h"

RTE_LOG_REGISTER_DEFAULT(net_iommu_logtype, NOTICE);

#define ARG_IOMMU	"iommu"
#define ARG_SID		"sid"
#define ARG_PASID	"pasid"
#define ARG_MODE	"mode"
#define ARG_PEER	"peer"
#define ARG_PKT_LEN	"pkt_len"
#define ARG_COPY	"copy"

static const char *const valid_args[] = {
	ARG_IOMMU, ARG_SID, ARG_PASID, ARG_MODE, ARG_PEER, ARG_PKT_LEN,
	ARG_COPY, NULL,
};

static const struct eth_dev_ops net_iommu_ops;

/* ------------------------------------------------------------ devargs -- */

static int
arg_u32(const char *key, const char *value, uint32_t min, uint32_t max,
	uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
	    v < min || v > max) {
		NET_IOMMU_LOG(ERR, "%s: bad value '%s' (%u..%u)", key, value,
			      min, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
arg_handle(const char *key, const char *value, void *opaque)
{
	static const char *const kinds[NET_IOMMU_KINDS] = {
		[NET_IOMMU_OFF] = "off", [NET_IOMMU_SMMU] = "smmu",
		[NET_IOMMU_VTD] = "vtd", [NET_IOMMU_DIRECT] = "direct",
	};
	static const char *const modes[NET_IOMMU_MODES] = {
		[NET_IOMMU_STRICT] = "strict", [NET_IOMMU_BATCH] = "batch",
		[NET_IOMMU_LAZY] = "lazy",
	};
	struct net_iommu_args *a = opaque;
	uint32_t v;
	int k;

	if (value == NULL) {
		NET_IOMMU_LOG(ERR, "%s: a value is required", key);
		return -EINVAL;
	}
	if (strcmp(key, ARG_IOMMU) == 0) {
		for (k = 0; k < NET_IOMMU_KINDS; k++)
			if (strcmp(value, kinds[k]) == 0) {
				a->kind = k;
				return 0;
			}
		NET_IOMMU_LOG(ERR, "%s: bad value '%s' (smmu|vtd|direct|off)",
			      key, value);
		return -EINVAL;
	}
	if (strcmp(key, ARG_MODE) == 0) {
		for (k = 0; k < NET_IOMMU_MODES; k++)
			if (strcmp(value, modes[k]) == 0) {
				a->mode = k;
				return 0;
			}
		NET_IOMMU_LOG(ERR, "%s: bad value '%s' (strict|batch|lazy)",
			      key, value);
		return -EINVAL;
	}
	if (strcmp(key, ARG_PEER) == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(a->peer)) {
			NET_IOMMU_LOG(ERR, "%s: bad value '%s'", key, value);
			return -EINVAL;
		}
		strcpy(a->peer, value);
		return 0;
	}
	if (strcmp(key, ARG_SID) == 0) {
		a->sid_set = true;
		return arg_u32(key, value, 0, UINT16_MAX, &a->sid);
	}
	if (strcmp(key, ARG_PASID) == 0)
		return arg_u32(key, value, 0,
			       (1u << 20) - NET_IOMMU_MAX_QUEUES,
			       &a->pasid_base);
	if (strcmp(key, ARG_PKT_LEN) == 0)
		return arg_u32(key, value, NET_IOMMU_PKT_LEN_MIN,
			       NET_IOMMU_PKT_LEN_MAX, &a->pkt_len);
	/* ARG_COPY */
	if (arg_u32(key, value, 0, 1, &v) != 0)
		return -EINVAL;
	a->copy = v != 0;
	return 0;
}

/* Parse @params into @a; every key checked, the first bad one named. */
static int
args_parse(const char *name, const char *params, struct net_iommu_args *a)
{
	struct rte_kvargs *kvl;
	unsigned int i, k;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->kind = NET_IOMMU_SMMU;
	a->pkt_len = NET_IOMMU_PKT_LEN_DEF;
	a->copy = true;
	if (params == NULL || params[0] == '\0')
		return 0;
	/* No key list here: rte_kvargs would refuse an unknown key without
	 * saying which. */
	kvl = rte_kvargs_parse(params, NULL);
	if (kvl == NULL) {
		NET_IOMMU_LOG(ERR, "%s: cannot parse devargs '%s'", name,
			      params);
		return -EINVAL;
	}
	for (i = 0; i < kvl->count && rc == 0; i++) {
		for (k = 0; valid_args[k] != NULL; k++)
			if (strcmp(kvl->pairs[i].key, valid_args[k]) == 0)
				break;
		if (valid_args[k] == NULL) {
			NET_IOMMU_LOG(ERR, "%s: unknown devarg '%s'", name,
				      kvl->pairs[i].key);
			rc = -EINVAL;
		} else if (arg_handle(kvl->pairs[i].key, kvl->pairs[i].value,
				      a) != 0) {
			rc = -EINVAL;
		}
	}
	rte_kvargs_free(kvl);
	return rc;
}

/* ------------------------------------------------------------- queues -- */

static uint16_t
ring_size(uint16_t nb_desc)
{
	if (nb_desc == 0)
		return NET_IOMMU_RING_DEF;
	nb_desc = RTE_MAX(nb_desc, (uint16_t)NET_IOMMU_RING_MIN);
	nb_desc = RTE_MIN(nb_desc, (uint16_t)NET_IOMMU_RING_MAX);
	return (uint16_t)rte_align32pow2(nb_desc);
}

static const struct rte_memzone *
ring_reserve(struct rte_eth_dev *dev, const char *dir, uint16_t qid,
	     uint16_t nb_desc, unsigned int socket_id)
{
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "niommu_%u_%s%u", dev->data->port_id,
		 dir, qid);
	return rte_memzone_reserve_aligned(name,
			sizeof(struct net_iommu_desc) * nb_desc, socket_id,
			RTE_MEMZONE_IOVA_CONTIG, RTE_CACHE_LINE_SIZE);
}

static void
wire_free(struct net_iommu_wire *w)
{
	void *f;

	if (w->ring != NULL)
		while (rte_ring_dequeue(w->ring, &f) == 0)
			rte_mempool_put(w->pool, f);
	rte_ring_free(w->ring);
	rte_mempool_free(w->pool);
	w->ring = NULL;
	w->pool = NULL;
}

static int
wire_create(struct rte_eth_dev *dev, uint16_t qid, unsigned int socket_id,
	    struct net_iommu_wire *w)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "niommu_w%u_%u", dev->data->port_id,
		 qid);
	w->ring = rte_ring_create(name, NET_IOMMU_WIRE_SIZE, socket_id,
				  RING_F_SC_DEQ);
	if (w->ring == NULL)
		return -rte_errno;
	/* A full ring plus what the senders' mempool caches may hold. */
	w->pool = rte_mempool_create(name, NET_IOMMU_WIRE_SIZE * 2 - 1,
				     sizeof(struct net_iommu_frame), 32, 0,
				     NULL, NULL, NULL, NULL, socket_id, 0);
	if (w->pool == NULL) {
		wire_free(w);
		return -rte_errno;
	}
	return 0;
}

static void
rxq_free(struct net_iommu_rxq *rxq)
{
	if (rxq == NULL)
		return;
	net_iommu_rxq_drop_all(rxq);
	wire_free(&rxq->wire);
	rte_free(rxq->gen);
	rte_memzone_free(rxq->mz);
	rte_free(rxq->sw_ring);
	rte_free(rxq);
}

static void
txq_free(struct net_iommu_txq *txq)
{
	if (txq == NULL)
		return;
	net_iommu_txq_drop_all(txq);
	rte_free(txq->scratch);
	rte_memzone_free(txq->mz);
	rte_free(txq->sw_ring);
	rte_free(txq);
}

static void senders_connect(struct rte_eth_dev *rx);

static void
net_iommu_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct net_iommu_rxq *rxq = dev->data->rx_queues[qid];

	/* Started senders must not keep a pointer to the wire freed here. */
	dev->data->rx_queues[qid] = NULL;
	senders_connect(dev);
	rxq_free(rxq);
}

static void
net_iommu_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	txq_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

static int
net_iommu_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
			 uint16_t nb_desc, unsigned int socket_id,
			 const struct rte_eth_rxconf *conf __rte_unused,
			 struct rte_mempool *mb_pool)
{
	struct net_iommu_port *p = dev->data->dev_private;
	struct net_iommu_rxq *rxq;
	int rc = -ENOMEM;

	nb_desc = ring_size(nb_desc);
	rxq = rte_zmalloc_socket("net_iommu_rxq", sizeof(*rxq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->port = p;
	rxq->queue_id = qid;
	rxq->port_id = dev->data->port_id;
	rxq->nb_desc = nb_desc;
	rxq->mask = nb_desc - 1;
	rxq->mb_pool = mb_pool;
	rxq->copy = p->args.copy;
	rxq->iova_as_va = p->iova_as_va;
	rxq->sw_ring = rte_zmalloc_socket("net_iommu_rx_sw",
			sizeof(*rxq->sw_ring) * nb_desc, 0, socket_id);
	rxq->mz = ring_reserve(dev, "rx", qid, nb_desc, socket_id);
	if (rxq->sw_ring == NULL || rxq->mz == NULL)
		goto err_free;
	rxq->ring = rxq->mz->addr;
	rxq->ring_iova = rxq->mz->iova;
	if (p->args.peer[0] != '\0') {
		rc = wire_create(dev, qid, socket_id, &rxq->wire);
		if (rc != 0)
			goto err_free;
	} else {
		rxq->gen = rte_malloc_socket("net_iommu_gen",
					     sizeof(*rxq->gen), 0, socket_id);
		if (rxq->gen == NULL)
			goto err_free;
		net_iommu_frame_fill(rxq->gen, p->args.pkt_len, qid);
	}
	dev->data->rx_queues[qid] = rxq;
	return 0;

err_free:
	NET_IOMMU_LOG(ERR, "%s: rx queue %u: %s", dev->data->name, qid,
		      rte_strerror(-rc));
	rxq_free(rxq);
	return rc;
}

static int
net_iommu_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
			 uint16_t nb_desc, unsigned int socket_id,
			 const struct rte_eth_txconf *conf __rte_unused)
{
	struct net_iommu_port *p = dev->data->dev_private;
	struct net_iommu_txq *txq;

	nb_desc = ring_size(nb_desc);
	txq = rte_zmalloc_socket("net_iommu_txq", sizeof(*txq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL)
		return -ENOMEM;
	txq->port = p;
	txq->queue_id = qid;
	txq->nb_desc = nb_desc;
	txq->mask = nb_desc - 1;
	txq->copy = p->args.copy;
	txq->iova_as_va = p->iova_as_va;
	txq->sw_ring = rte_zmalloc_socket("net_iommu_tx_sw",
			sizeof(*txq->sw_ring) * nb_desc, 0, socket_id);
	txq->scratch = rte_malloc_socket("net_iommu_sink",
					 sizeof(*txq->scratch), 0, socket_id);
	txq->mz = ring_reserve(dev, "tx", qid, nb_desc, socket_id);
	if (txq->sw_ring == NULL || txq->scratch == NULL || txq->mz == NULL) {
		txq_free(txq);
		return -ENOMEM;
	}
	txq->ring = txq->mz->addr;
	txq->ring_iova = txq->mz->iova;
	dev->data->tx_queues[qid] = txq;
	return 0;
}

/* ---------------------------------------------------------- start/stop -- */

/* Point @tx's TX queue q at @rx's RX queue q's wire, or at none (sink)
 * while @rx has not set that queue up. */
static unsigned int
wires_connect(struct rte_eth_dev *tx, struct rte_eth_dev *rx)
{
	unsigned int missing = 0;
	uint16_t q;

	for (q = 0; q < tx->data->nb_tx_queues; q++) {
		struct net_iommu_txq *txq = tx->data->tx_queues[q];
		struct net_iommu_rxq *prxq = q < rx->data->nb_rx_queues ?
			rx->data->rx_queues[q] : NULL;
		struct net_iommu_wire *w = prxq != NULL &&
			prxq->wire.ring != NULL ? &prxq->wire : NULL;

		if (txq == NULL)
			continue;
		missing += w == NULL;
		/* Pairs with the acquire load in txq_device(): the wire's
		 * ring and pool, set up before, are seen by the TX lcore. */
		__atomic_store_n(&txq->peer_wire, w, __ATOMIC_RELEASE);
	}
	return missing;
}

/* Our TX queues to the peer's wires. The peer may not have set its RX
 * queues up yet (testpmd configures and starts one port after the other):
 * the TX queues concerned sink until the peer starts and connects them
 * (senders_connect()). */
static int
peer_resolve(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;
	struct rte_eth_dev *peer;
	uint16_t pid;

	if (p->args.peer[0] == '\0')
		return 0;
	if (rte_eth_dev_get_port_by_name(p->args.peer, &pid) != 0) {
		NET_IOMMU_LOG(ERR, "%s: peer: no port %s", dev->data->name,
			      p->args.peer);
		return -ENODEV;
	}
	peer = &rte_eth_devices[pid];
	if (peer->dev_ops != &net_iommu_ops) {
		NET_IOMMU_LOG(ERR, "%s: peer: %s is not a net_iommu port",
			      dev->data->name, p->args.peer);
		return -EINVAL;
	}
	if (wires_connect(dev, peer) != 0)
		NET_IOMMU_LOG(INFO,
			"%s: peer %s has not set up every rx queue yet: tx sinks until it starts",
			dev->data->name, p->args.peer);
	return 0;
}

/* Every started port that names @rx as its peer, to @rx's wires as they
 * are now: at @rx's start, and when @rx releases an RX queue. */
static void
senders_connect(struct rte_eth_dev *rx)
{
	uint16_t pid;

	for (pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		struct rte_eth_dev *tx = &rte_eth_devices[pid];
		const struct net_iommu_port *tp;

		if (!rte_eth_dev_is_valid_port(pid) ||
		    tx->dev_ops != &net_iommu_ops || !tx->data->dev_started)
			continue;
		tp = tx->data->dev_private;
		if (strcmp(tp->args.peer, rx->data->name) == 0)
			wires_connect(tx, rx);
	}
}

static void
queues_detach(struct net_iommu_port *p)
{
	unsigned int q;

	for (q = 0; q < NET_IOMMU_MAX_QUEUES; q++)
		if (p->qport[q] != NULL) {
			uiommu_detach(p->qport[q]);
			p->qport[q] = NULL;
		}
	net_iommu_ctl_done();
}

/* Per queue q: (dev, pasid_base + q), or the RID for every queue. */
static int
queues_attach(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;
	uint16_t nq = RTE_MAX(dev->data->nb_rx_queues,
			      dev->data->nb_tx_queues), q;

	for (q = 0; q < nq; q++) {
		if (p->args.pasid_base == 0 && q > 0) {
			p->qport[q] = NULL;
			continue;
		}
		p->qport[q] = p->args.pasid_base == 0 ?
			uiommu_attach(p->dev, p->dom) :
			uiommu_attach_pasid(p->dev, p->args.pasid_base + q,
					    p->dom);
		if (p->qport[q] == NULL) {
			NET_IOMMU_LOG(ERR, "%s: attach of queue %u: %s",
				      dev->data->name, q,
				      rte_strerror(rte_errno));
			queues_detach(p);
			return -rte_errno;
		}
	}
	net_iommu_ctl_done();
	return 0;
}

static const struct uiommu_port *
queue_dma(const struct net_iommu_port *p, uint16_t q)
{
	if (p->dom == NULL)
		return NULL;
	return p->qport[p->args.pasid_base == 0 ? 0 : q];
}

static void
queues_stop(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct net_iommu_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL) {
			net_iommu_rxq_drop_all(rxq);
			rxq->dma = NULL;
		}
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct net_iommu_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL) {
			net_iommu_txq_drop_all(txq);
			txq->dma = NULL;
			__atomic_store_n(&txq->peer_wire, NULL,
					 __ATOMIC_RELEASE);
		}
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
}

static int
net_iommu_dev_stop(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;

	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_started = 0;
	queues_stop(dev);
	if (p->dom != NULL) {
		net_iommu_lazy_flush_stop(p);
		queues_detach(p);
		net_iommu_mem_unmap_all(p);
	}
	return 0;
}

static int
net_iommu_dev_start(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;
	uint16_t q;
	int rc;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] == NULL)
			return -EINVAL;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] == NULL)
			return -EINVAL;
	if (p->dom != NULL) {
		rc = net_iommu_mem_map_all(p);
		if (rc != 0)
			return rc;
		rc = queues_attach(dev);
		if (rc != 0)
			goto err_unmap;
	} else if (!p->iova_as_va) {
		NET_IOMMU_LOG(WARNING,
			"%s: iommu=off with IOVA as PA: every DMA is an rte_mem_iova2virt() lookup, not a baseline",
			dev->data->name);
	}
	rc = peer_resolve(dev);
	if (rc != 0)
		goto err_stop;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct net_iommu_rxq *rxq = dev->data->rx_queues[q];

		rxq->dma = queue_dma(p, q);
		if (net_iommu_rxq_post_all(rxq) != 0) {
			NET_IOMMU_LOG(ERR, "%s: rx queue %u: no mbufs to post",
				      dev->data->name, q);
			rc = -ENOMEM;
			goto err_stop;
		}
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		((struct net_iommu_txq *)dev->data->tx_queues[q])->dma =
			queue_dma(p, q);
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	senders_connect(dev);
	net_iommu_lazy_flush_start(p);
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	return 0;

err_stop:
	queues_stop(dev);
	if (p->dom != NULL)
		queues_detach(p);
err_unmap:
	if (p->dom != NULL)
		net_iommu_mem_unmap_all(p);
	return rc;
}

static int
net_iommu_dev_configure(struct rte_eth_dev *dev)
{
	if (RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues) >
	    NET_IOMMU_MAX_QUEUES)
		return -EINVAL;
	return 0;
}

static int
net_iommu_dev_close(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		net_iommu_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		net_iommu_tx_queue_release(dev, q);
	if (p->dom != NULL) {
		net_iommu_shared_put(p);
		if (net_iommu_sh.nb_ports == 0)
			net_iommu_mem_cb_unregister();
	}
	/* Part of dev_private: not for rte_eth_dev_release_port to free. */
	dev->data->mac_addrs = NULL;
	return 0;
}

static int
net_iommu_dev_infos_get(struct rte_eth_dev *dev __rte_unused,
			struct rte_eth_dev_info *info)
{
	info->max_mac_addrs = 1;
	info->max_rx_pktlen = NET_IOMMU_FRAME_MAX;
	info->max_rx_queues = NET_IOMMU_MAX_QUEUES;
	info->max_tx_queues = NET_IOMMU_MAX_QUEUES;
	info->min_rx_bufsize = 0;
	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = NET_IOMMU_RING_MAX, .nb_min = NET_IOMMU_RING_MIN,
		.nb_align = 1,
	};
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = NET_IOMMU_RING_DEF;
	info->default_txportconf.ring_size = NET_IOMMU_RING_DEF;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	return 0;
}

static int
net_iommu_link_update(struct rte_eth_dev *dev __rte_unused,
		      int wait_to_complete __rte_unused)
{
	return 0;
}

static int
net_iommu_promisc_nop(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

/* --------------------------------------------------------------- stats -- */

static uint64_t
rxq_ierrors(const struct net_iommu_rxq *rxq)
{
	return rxq->stats.faults[NET_IOMMU_DMA_RX_DESC] +
	       rxq->stats.faults[NET_IOMMU_DMA_RX_BUF] +
	       rxq->stats.faults[NET_IOMMU_DMA_RX_CPL] + rxq->stats.oversize;
}

static int
net_iommu_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct net_iommu_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		st->ipackets += rxq->stats.packets;
		st->ibytes += rxq->stats.bytes;
		st->ierrors += rxq_ierrors(rxq);
		st->rx_nombuf += rxq->stats.nombuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->stats.packets;
			st->q_ibytes[q] = rxq->stats.bytes;
			st->q_errors[q] = rxq_ierrors(rxq);
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct net_iommu_txq *txq = dev->data->tx_queues[q];

		if (txq == NULL)
			continue;
		st->opackets += txq->stats.packets;
		st->obytes += txq->stats.bytes;
		st->oerrors += txq->stats.errors;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->stats.packets;
			st->q_obytes[q] = txq->stats.bytes;
		}
	}
	return 0;
}

static int
net_iommu_stats_reset(struct rte_eth_dev *dev)
{
	struct net_iommu_port *p = dev->data->dev_private;
	uint16_t q;

	/* Racy with running lcores, as in every software PMD. */
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] != NULL)
			memset(&((struct net_iommu_rxq *)
				 dev->data->rx_queues[q])->stats, 0,
			       sizeof(struct net_iommu_qstats));
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] != NULL)
			memset(&((struct net_iommu_txq *)
				 dev->data->tx_queues[q])->stats, 0,
			       sizeof(struct net_iommu_qstats));
	if (p->hw != NULL)
		uiommu_hw_stats(p->hw, RTE_MAX_LCORE, &p->hw_base);
	return 0;
}

struct xstat_def {
	const char *name;
	size_t off;
};

#define QSTAT(n, f) { n, offsetof(struct net_iommu_qstats, f) }
static const struct xstat_def rxq_xstats[] = {
	QSTAT("dma_fault_desc", faults[NET_IOMMU_DMA_RX_DESC]),
	QSTAT("dma_fault_buf", faults[NET_IOMMU_DMA_RX_BUF]),
	QSTAT("dma_fault_cpl", faults[NET_IOMMU_DMA_RX_CPL]),
	QSTAT("oversize", oversize),
	QSTAT("nombuf", nombuf),
	QSTAT("nolcore_bursts", nolcore_bursts),
	QSTAT("iotlb_hits", iotlb_hits),
	QSTAT("iotlb_misses", iotlb_misses),
	QSTAT("iotlb_walks", iotlb_walks),
};
static const struct xstat_def txq_xstats[] = {
	QSTAT("dma_fault_desc", faults[NET_IOMMU_DMA_TX_DESC]),
	QSTAT("dma_fault_buf", faults[NET_IOMMU_DMA_TX_BUF]),
	QSTAT("dropped", errors),
	QSTAT("nolcore_bursts", nolcore_bursts),
	QSTAT("iotlb_hits", iotlb_hits),
	QSTAT("iotlb_misses", iotlb_misses),
	QSTAT("iotlb_walks", iotlb_walks),
};
#undef QSTAT

/* The hw's counters, summed over lcores: shared by every port on the same
 * backend, hence the "iommu_hw_" prefix. */
#define HWSTAT(f) { "iommu_hw_" RTE_STR(f), \
		    offsetof(struct uiommu_lcore_stats, f) }
static const struct xstat_def hw_xstats[] = {
	HWSTAT(hits), HWSTAT(misses), HWSTAT(walks), HWSTAT(faults),
	HWSTAT(invalidations), HWSTAT(inv_entries), HWSTAT(flushes),
	HWSTAT(fault_drops),
};
#undef HWSTAT

/* The invalidation commands the emulated hardware saw (since the hw was
 * created: shared, like iommu_hw_*, and not reset). */
#define BACKEND_XSTATS	2
static const char *const backend_xstat_names[NET_IOMMU_KINDS][BACKEND_XSTATS] = {
	[NET_IOMMU_SMMU] = { "iommu_smmu_cmd_tlbi", "iommu_smmu_cmd_sync" },
	[NET_IOMMU_VTD] = { "iommu_vtd_desc_iotlb", "iommu_vtd_desc_wait" },
};

static unsigned int
backend_xstats(const struct net_iommu_port *p, uint64_t *v)
{
	struct uiommu_smmu_sim_stats smmu;
	struct uiommu_vtd_sim_stats vtd;

	switch (p->args.kind) {
	case NET_IOMMU_SMMU:
		if (v != NULL && uiommu_smmu_sim_stats_get(p->hw, &smmu) == 0) {
			v[0] = smmu.cmds[UIOMMU_SMMU_CMD_TLBI_NH_VA] +
			       smmu.cmds[UIOMMU_SMMU_CMD_TLBI_NH_ASID] +
			       smmu.cmds[UIOMMU_SMMU_CMD_TLBI_NH_ALL] +
			       smmu.cmds[UIOMMU_SMMU_CMD_TLBI_S2_IPA] +
			       smmu.cmds[UIOMMU_SMMU_CMD_TLBI_S12_VMALL];
			v[1] = smmu.cmds[UIOMMU_SMMU_CMD_SYNC];
		}
		return BACKEND_XSTATS;
	case NET_IOMMU_VTD:
		if (v != NULL && uiommu_vtd_sim_stats_get(p->hw, &vtd) == 0) {
			v[0] = vtd.descs[UIOMMU_VTD_DESC_IOTLB] +
			       vtd.descs[UIOMMU_VTD_DESC_PIOTLB];
			v[1] = vtd.descs[UIOMMU_VTD_DESC_WAIT];
		}
		return BACKEND_XSTATS;
	default:
		return 0;
	}
}

/* Faults of the hw by reason, "fault_<reason>" (UIOMMU_FAULT_NONE left
 * out): since the hw was created, shared like iommu_hw_*, and not reset. */
#define FAULT_XSTATS	(UIOMMU_FAULT_REASON_MAX - 1)

static unsigned int
fault_xstats(const struct net_iommu_port *p, uint64_t *v)
{
	uint64_t counts[UIOMMU_FAULT_REASON_MAX];

	if (p->hw == NULL)
		return 0;
	if (v != NULL) {
		if (uiommu_hw_fault_stats(p->hw, counts, RTE_DIM(counts)) < 0)
			memset(counts, 0, sizeof(counts));
		memcpy(v, &counts[UIOMMU_FAULT_NONE + 1],
		       FAULT_XSTATS * sizeof(*v));
	}
	return FAULT_XSTATS;
}

/* "fault_" and the reason's name, '-' made '_' like the other names. */
static void
fault_xstat_name(unsigned int i, char *name, size_t size)
{
	char *c;

	snprintf(name, size, "fault_%s",
		 uiommu_fault_reason_str(UIOMMU_FAULT_NONE + 1 + i));
	for (c = name; *c != '\0'; c++)
		if (*c == '-')
			*c = '_';
}

static unsigned int
xstats_count(const struct rte_eth_dev *dev)
{
	const struct net_iommu_port *p = dev->data->dev_private;

	return dev->data->nb_rx_queues * RTE_DIM(rxq_xstats) +
	       dev->data->nb_tx_queues * RTE_DIM(txq_xstats) +
	       (p->hw != NULL ? RTE_DIM(hw_xstats) : 0) +
	       backend_xstats(p, NULL) + fault_xstats(p, NULL);
}

static int
net_iommu_xstats_get_names(struct rte_eth_dev *dev,
			   struct rte_eth_xstat_name *names, unsigned int size)
{
	const struct net_iommu_port *p = dev->data->dev_private;
	unsigned int n = xstats_count(dev), i, k = 0;
	uint16_t q;

	if (names == NULL || size < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < RTE_DIM(rxq_xstats); i++)
			snprintf(names[k++].name, sizeof(names->name),
				 "rx_q%u_%s", q, rxq_xstats[i].name);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < RTE_DIM(txq_xstats); i++)
			snprintf(names[k++].name, sizeof(names->name),
				 "tx_q%u_%s", q, txq_xstats[i].name);
	if (p->hw != NULL)
		for (i = 0; i < RTE_DIM(hw_xstats); i++)
			snprintf(names[k++].name, sizeof(names->name), "%s",
				 hw_xstats[i].name);
	for (i = 0; i < backend_xstats(p, NULL); i++)
		snprintf(names[k++].name, sizeof(names->name), "%s",
			 backend_xstat_names[p->args.kind][i]);
	for (i = 0; i < fault_xstats(p, NULL); i++)
		fault_xstat_name(i, names[k++].name, sizeof(names->name));
	return (int)n;
}

static uint64_t
stat_at(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
}

static int
net_iommu_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		     unsigned int size)
{
	const struct net_iommu_port *p = dev->data->dev_private;
	unsigned int n = xstats_count(dev), i, k = 0;
	uint64_t backend[BACKEND_XSTATS] = { 0 };
	uint64_t faults[FAULT_XSTATS];
	struct uiommu_lcore_stats hw;
	uint16_t q;

	if (xs == NULL || size < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct net_iommu_rxq *rxq = dev->data->rx_queues[q];

		for (i = 0; i < RTE_DIM(rxq_xstats); i++, k++) {
			xs[k].id = k;
			xs[k].value = rxq == NULL ? 0 :
				stat_at(&rxq->stats, rxq_xstats[i].off);
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct net_iommu_txq *txq = dev->data->tx_queues[q];

		for (i = 0; i < RTE_DIM(txq_xstats); i++, k++) {
			xs[k].id = k;
			xs[k].value = txq == NULL ? 0 :
				stat_at(&txq->stats, txq_xstats[i].off);
		}
	}
	if (p->hw != NULL && uiommu_hw_stats(p->hw, RTE_MAX_LCORE, &hw) == 0)
		for (i = 0; i < RTE_DIM(hw_xstats); i++, k++) {
			xs[k].id = k;
			xs[k].value = stat_at(&hw, hw_xstats[i].off) -
				stat_at(&p->hw_base, hw_xstats[i].off);
		}
	for (i = 0; i < backend_xstats(p, backend); i++, k++) {
		xs[k].id = k;
		xs[k].value = backend[i];
	}
	for (i = 0; i < fault_xstats(p, faults); i++, k++) {
		xs[k].id = k;
		xs[k].value = faults[i];
	}
	return (int)k;
}

static const struct eth_dev_ops net_iommu_ops = {
	.dev_configure = net_iommu_dev_configure,
	.dev_start = net_iommu_dev_start,
	.dev_stop = net_iommu_dev_stop,
	.dev_close = net_iommu_dev_close,
	.dev_infos_get = net_iommu_dev_infos_get,
	.rx_queue_setup = net_iommu_rx_queue_setup,
	.tx_queue_setup = net_iommu_tx_queue_setup,
	.rx_queue_release = net_iommu_rx_queue_release,
	.tx_queue_release = net_iommu_tx_queue_release,
	.link_update = net_iommu_link_update,
	.promiscuous_enable = net_iommu_promisc_nop,
	.promiscuous_disable = net_iommu_promisc_nop,
	.allmulticast_enable = net_iommu_promisc_nop,
	.allmulticast_disable = net_iommu_promisc_nop,
	.stats_get = net_iommu_stats_get,
	.stats_reset = net_iommu_stats_reset,
	.xstats_get = net_iommu_xstats_get,
	.xstats_get_names = net_iommu_xstats_get_names,
	.xstats_reset = net_iommu_stats_reset,
};

/* ---------------------------------------------------------- vdev driver -- */

static int
net_iommu_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;
	struct net_iommu_port *p;
	struct net_iommu_args args;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		NET_IOMMU_LOG(ERR, "%s: secondary processes are not supported",
			      name);
		return -ENOTSUP;
	}
	rc = args_parse(name, rte_vdev_device_args(vdev), &args);
	if (rc != 0)
		return rc;
	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (dev == NULL)
		return -ENOMEM;
	p = dev->data->dev_private;
	p->args = args;
	p->eth_dev = dev;
	p->iova_as_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	if (!p->args.sid_set)
		p->args.sid = NET_IOMMU_SID_BASE + dev->data->port_id;
	rte_eth_random_addr(p->mac.addr_bytes);
	dev->data->mac_addrs = &p->mac;
	dev->data->dev_link = (struct rte_eth_link){
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_status = RTE_ETH_LINK_DOWN,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &net_iommu_ops;
	dev->rx_pkt_burst = net_iommu_rx_burst;
	dev->tx_pkt_burst = net_iommu_tx_burst;
	if (args.kind != NET_IOMMU_OFF) {
		rc = net_iommu_mem_cb_register();
		if (rc == 0)
			rc = net_iommu_shared_get(p);
		if (rc != 0) {
			if (net_iommu_sh.nb_ports == 0)
				net_iommu_mem_cb_unregister();
			dev->data->mac_addrs = NULL;
			rte_eth_dev_release_port(dev);
			return rc;
		}
	}
	rte_eth_dev_probing_finish(dev);
	NET_IOMMU_LOG(INFO, "%s: port %u, sid %#x, pasid %u", name,
		      dev->data->port_id, p->args.sid, p->args.pasid_base);
	return 0;
}

static int
net_iommu_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;	/* already closed */
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}

static struct net_iommu_port *
vdev_port(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev =
		rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	return dev == NULL ? NULL : dev->data->dev_private;
}

static int
net_iommu_vdev_dma_map(struct rte_vdev_device *vdev, void *addr,
		       uint64_t iova, size_t len)
{
	struct net_iommu_port *p = vdev_port(vdev);
	int rc = p == NULL ? -ENODEV : net_iommu_dma_map(p, addr, iova, len);

	if (rc != 0)
		rte_errno = -rc;
	return rc;
}

static int
net_iommu_vdev_dma_unmap(struct rte_vdev_device *vdev, void *addr __rte_unused,
			 uint64_t iova, size_t len)
{
	struct net_iommu_port *p = vdev_port(vdev);
	int rc = p == NULL ? -ENODEV : net_iommu_dma_unmap(p, iova, len);

	if (rc != 0)
		rte_errno = -rc;
	return rc;
}

static struct rte_vdev_driver net_iommu_vdev_drv = {
	.probe = net_iommu_probe,
	.remove = net_iommu_remove,
	.dma_map = net_iommu_vdev_dma_map,
	.dma_unmap = net_iommu_vdev_dma_unmap,
};

RTE_PMD_REGISTER_VDEV(net_iommu, net_iommu_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_iommu,
	ARG_IOMMU "=smmu|vtd|direct|off "
	ARG_SID "=<0..65535> "
	ARG_PASID "=<base, 0: none> "
	ARG_MODE "=strict|batch|lazy "
	ARG_PEER "=<vdev name> "
	ARG_PKT_LEN "=<60..9000> "
	ARG_COPY "=0|1");

/* ------------------------------------------------------------ public API -- */

static struct net_iommu_port *
port_of(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	return dev->dev_ops == &net_iommu_ops ? dev->data->dev_private : NULL;
}

struct uiommu_domain *
uiommu_net_iommu_domain(uint16_t port_id)
{
	struct net_iommu_port *p = port_of(port_id);

	if (p == NULL || p->dom == NULL) {
		rte_errno = p == NULL ? EINVAL : ENOENT;
		return NULL;
	}
	return p->dom;
}

struct uiommu_hw *
uiommu_net_iommu_hw(uint16_t port_id)
{
	struct net_iommu_port *p = port_of(port_id);

	if (p == NULL || p->hw == NULL) {
		rte_errno = p == NULL ? EINVAL : ENOENT;
		return NULL;
	}
	return p->hw;
}

struct uiommu_ctx *
uiommu_net_iommu_ctx(uint16_t port_id)
{
	struct net_iommu_port *p = port_of(port_id);

	if (p == NULL || p->hw == NULL) {
		rte_errno = p == NULL ? EINVAL : ENOENT;
		return NULL;
	}
	return net_iommu_sh.ctx;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testpmd-iommu: a testpmd-like forwarder over net_iommu ports, with the
 * IOMMU controls testpmd does not have (backend, churn) and its statistics.
 *
 * Threads and who owns what
 * -------------------------
 * - The main lcore parses options, creates (or finds) the ports, launches
 *   the forwarding lcores, then runs the control plane: the churn
 *   generator (churn.c) and the periodic stats (stats.c), until --duration,
 *   SIGINT or SIGTERM; then it stops the lcores, the ports, and EAL.
 * - Each forwarding (worker) lcore owns a list of streams. A stream is one
 *   (rx port, rx queue) -> (tx port, tx queue) pair; no queue belongs to
 *   two streams, so ethdev's one-lcore-per-queue rule holds. Stream
 *   counters are written by the owner only (relaxed atomic stores) and read
 *   by the main lcore (relaxed atomic loads): torn-free, not a snapshot.
 * - Forwarding lcores hold themselves online in the IOMMU context while
 *   they poll (uiommu_net_iommu_lcore_hold()) and release themselves
 *   before they return, unless --no-hold: then every burst pauses and
 *   resumes them, as with stock testpmd.
 * - tpi.stop is written by the main lcore (signal handler included) and
 *   polled by the workers; nothing is published through it but "stop".
 *
 * Ports come in forwarding pairs (0,1), (2,3), ...: what arrives on port A
 * queue q goes out of its pair B queue q. Ports the application creates are
 * also each other's net_iommu peer (B's TX arrives on A's RX), so a burst
 * sent first (tx_first) circulates for as long as the forwarders run.
 */
#ifndef TESTPMD_IOMMU_H
#define TESTPMD_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>

#include <uiommu.h>

#define TPI_MAX_PORTS	32
#define TPI_MAX_QUEUES	16	/* NET_IOMMU_MAX_QUEUES */
#define TPI_CHURN_BATCH_MAX	32	/* half the churn window (churn.c) */
#define TPI_MAX_BURST	512
#define TPI_NB_DESC	512	/* RX and TX descriptors per queue */

enum tpi_fwd_mode {
	TPI_FWD_IO,	/* forward as received */
	TPI_FWD_MAC,	/* and rewrite the Ethernet addresses */
};

struct tpi_config {
	unsigned int nb_ports;		/* ports to create */
	const char *iommu;		/* devarg iommu= of created ports */
	unsigned int copy;		/* devarg copy= */
	unsigned int pkt_len;		/* devarg pkt_len=, tx_first frames */
	enum tpi_fwd_mode fwd;
	unsigned int burst;
	unsigned int nb_rxq;		/* RX = TX queues per port */
	double duration;		/* seconds; 0: until a signal */
	double stats_period;		/* seconds; 0: no periodic line */
	const char *json_path;		/* NULL: no JSON summary */
	unsigned int churn_rate;	/* unmap+remap per second; 0: off */
	bool churn_ext;			/* through rte_dev_dma_map/unmap */
	const char *mode;		/* devarg mode=: strict|batch|lazy */
	unsigned int churn_batch;	/* mode batch: churn ops per flush */
	unsigned int tx_first;		/* bursts each stream sends first */
	bool lcore_hold;		/* forwarding lcores held online */
};

struct tpi_port {
	uint16_t port_id;
	uint16_t fwd_peer;		/* index in tpi.ports, not a port id */
	bool created;			/* by us: rte_vdev_uninit at exit */
	bool has_iommu;			/* iommu != off: a domain exists */
	char name[64];
	struct rte_ether_addr mac;
};

/* One (rx port, queue) -> (tx port, queue) pair, owned by one lcore. */
struct tpi_stream {
	uint16_t rx_port, tx_port;	/* ethdev port ids */
	uint16_t queue;			/* same queue index on both */
	struct rte_ether_addr src, dst;	/* mac mode: what TX writes */
	uint64_t rx_pkts;		/* owner lcore writes (relaxed) */
	uint64_t tx_pkts;
	uint64_t drops;			/* what tx_burst did not take */
} __rte_cache_aligned;

struct tpi_lcore {
	unsigned int lcore_id;
	unsigned int nb_streams;
	struct tpi_stream *streams[TPI_MAX_PORTS * TPI_MAX_QUEUES];
};

struct tpi {
	struct tpi_config cfg;
	struct tpi_port ports[TPI_MAX_PORTS];
	unsigned int nb_ports;
	bool eal_ports;			/* ports came from --vdev */
	struct tpi_stream *streams;	/* nb_ports * nb_rxq, rte_zmalloc */
	unsigned int nb_streams;
	struct tpi_lcore *lcores;	/* one per worker lcore, rte_zmalloc */
	unsigned int nb_lcores;		/* workers with at least one stream */
	struct rte_mempool *pool;
	volatile bool stop;
};

extern struct tpi tpi;

/* fwd.c */
int tpi_fwd_setup(void);
void tpi_fwd_teardown(void);
int tpi_fwd_lcore(void *arg);

/* churn.c: unmap+remap of a scratch window in each port's domain. */
int tpi_churn_setup(void);
int tpi_churn_op(void);		/* one unmap+remap; 0 or -errno */
uint64_t tpi_churn_ops(void);
/* The churned domains' invalidation counters, summed. */
void tpi_churn_inv_stats(struct uiommu_domain_inv_stats *st);
void tpi_churn_teardown(void);

/* stats.c */
void tpi_stats_start(void);
void tpi_stats_period(double now_s);
void tpi_stats_final(double duration_s);
int tpi_stats_json(const char *path, double duration_s);

#endif /* TESTPMD_IOMMU_H */

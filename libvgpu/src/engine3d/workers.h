/* SPDX-License-Identifier: MIT */
/* The render worker pool: threads created once per GPU that share out the items of one job (tiles, clear
 * bands). The calling thread works too, as worker 0, so a pool of one thread runs everything inline. */
#ifndef VGPU_E3D_WORKERS_H
#define VGPU_E3D_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef void (*e3d_work_fn)(void *ctx, unsigned item, unsigned worker);

struct e3d_workers {
	unsigned count; /* threads working on a job, the caller included */
	pthread_t *threads;
	unsigned started;
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	bool quit;
	unsigned long generation;
	unsigned busy; /* helper threads still inside the current job */
	e3d_work_fn fn;
	void *ctx;
	unsigned items;
	atomic_uint next;
	/* Called by a helper thread before and after its share of a job, and by the calling thread around its
	 * wait for the helpers (so a pause can count who is working; may block). Optional, set before start.
	 */
	void (*enter)(void *opaque);
	void (*leave)(void *opaque);
	void *hook_opaque;
};

/* count 0 = one per host core. Returns false if no thread could be created (the pool still works inline). */
bool e3d_workers_start(struct e3d_workers *workers, unsigned count);
void e3d_workers_stop(struct e3d_workers *workers);
/* Run fn for every item in [0, items) across the pool and return when all are done. */
void e3d_workers_run(struct e3d_workers *workers, unsigned items, e3d_work_fn fn, void *ctx);

#endif

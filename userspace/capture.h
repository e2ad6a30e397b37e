/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A parsed /proc/bootstamps capture (docs/format.md) and the spans the
 * model pairs out of it.
 */
#ifndef BST_CAPTURE_H
#define BST_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Newest format version this reader understands. */
#define BST_FORMAT_SUPPORTED 1

struct bst_kv {
	const char *key;
	const char *val;
};

/*
 * An event's key=value field, as offsets of its key and value from the
 * event's subject (all are in the event's line): half the size of two
 * pointers, which at a million events of up to fifteen fields matters.
 * Read it with bst_event_kv().
 */
struct bst_field {
	uint32_t key, val;
};

/*
 * The event types the reader itself looks for, told apart once when the
 * line is parsed, so that the outputs' passes over every event compare a
 * number rather than strings. Any other type is BST_T_OTHER: its name is
 * still in type.
 */
enum bst_type_id {
	BST_T_OTHER,
	BST_T_PROBE_START, BST_T_PROBE_END,
	BST_T_MODULE_COMING, BST_T_MODULE_LIVE, BST_T_MODULE_GOING,
	BST_T_DISK_ADD, BST_T_DISK_FIRST_IO, BST_T_DISK_PARTITIONS,
	BST_T_NET_REGISTER, BST_T_NET_UP, BST_T_NET_CARRIER,
	BST_T_NET_IPV4, BST_T_NET_IPV6,
	BST_T_EXEC, BST_T_EXIT, BST_T_INIT_EXEC, BST_T_ROOT_MOUNT, BST_T_MARK,
	BST_T_FN_START, BST_T_FN_END, BST_T_UNIT_START, BST_T_UNIT_END,
	BST_T_KNOWN
};

struct bst_event {
	unsigned long seq;
	uint64_t t_ns;		/* CLOCK_BOOTTIME */
	const char *type;	/* "probe.end", "mark", ... */
	const char *subject;	/* as written: escaped, no whitespace */
	const struct bst_field *fields;	/* nkv of them, in the line's order */
	size_t line;		/* 1-based line in the source */
	/* Fewer than 2^32: a field's offset in its line is 32 bits. */
	uint32_t nkv;
	enum bst_type_id type_id;	/* type, if the reader knows it */
};

/* The i-th key=value of an event (i < ev->nkv). */
static inline struct bst_kv bst_event_kv(const struct bst_event *ev, size_t i)
{
	return (struct bst_kv){ ev->subject + ev->fields[i].key,
				ev->subject + ev->fields[i].val };
}

struct bst_capture {
	char *name;		/* file name, or "-" */
	int format_version;
	struct bst_kv *header;	/* every key=value of the "# " lines */
	size_t nheader;
	struct bst_event *ev;
	size_t nev;
	struct bst_field *field_pool;	/* every event's fields, one allocation */
	char *text;		/* the source, split in place */
};

struct bst_error {
	char msg[512];
};

/* parse.c */
enum bst_type_id bst_type_id_of(const char *type);
int bst_parse_text(const char *name, char *text, struct bst_capture *cap,
		   struct bst_error *err);
int bst_parse_file(const char *path, struct bst_capture *cap,
		   struct bst_error *err);
char *bst_unescape(const char *s);
int bst_read_all(const char *path, char **out, size_t *len,
		 struct bst_error *err);
void bst_capture_free(struct bst_capture *cap);
const char *bst_header_get(const struct bst_capture *cap, const char *key);
const char *bst_event_get(const struct bst_event *ev, const char *key);
int bst_event_get_i64(const struct bst_event *ev, const char *key,
		      int64_t *out);
const struct bst_event *bst_find_seq(const struct bst_capture *cap,
				     unsigned long seq);

/* model.c */
enum bst_span_kind {
	BST_SPAN_PROBE,		/* probe.start -> probe.end */
	BST_SPAN_MODULE,	/* module.coming -> module.live / going */
	BST_SPAN_DISK,		/* disk.add -> disk.partitions */
	BST_SPAN_PROCESS,	/* exec -> exit */
	BST_SPAN_FN,		/* fn.start -> fn.end: a step inside a driver */
	BST_SPAN_UNIT,		/* unit.start -> unit.end: a systemd unit's activation */
	BST_SPAN_KINDS
};

extern const char *const bst_span_kind_names[BST_SPAN_KINDS];

struct bst_span {
	enum bst_span_kind kind;
	const struct bst_event *start;	/* NULL if it began before capture */
	const struct bst_event *end;	/* NULL if still running */
	uint64_t dur_ns;
	int has_rc;
	int64_t rc;
};

struct bst_model {
	struct bst_span *spans;
	size_t nspans;
};

/* A phase of the boot: [start, end) on the boottime axis. */
struct bst_phase {
	const char *name;	/* "kernel", "initramfs", "userspace" */
	uint64_t start_ns;
	uint64_t end_ns;
	int known;
};

/* A moment the boot reached: the first disk ready, an address, ... */
struct bst_milestone {
	char name[160];		/* "disk.ready nvme0n1", "mark boot-done" */
	uint64_t t_ns;
	const struct bst_event *ev;
};

#define BST_PHASES 3

/*
 * Firmware and loader time (firmware.c), from save's "# firmware" line:
 * durations before the kernel's clock starts, not times on its axis.
 */
struct bst_firmware {
	int recorded;		/* the capture has a "# firmware" line */
	int known, loader_known;
	uint64_t firmware_ns;	/* firmware start to the OS loader's start */
	uint64_t loader_ns;	/* the loader's start to ExitBootServices' end */
};

void bst_firmware_read(const struct bst_capture *cap, struct bst_firmware *fw);

struct bst_boot {
	struct bst_phase phases[BST_PHASES];
	struct bst_firmware fw;
	struct bst_milestone *ms;
	size_t nms;
	uint64_t end_ns;	/* the last event, or the last marker */
};

int bst_model_build(const struct bst_capture *cap, struct bst_model *model,
		    struct bst_error *err);
int bst_boot_build(const struct bst_capture *cap, struct bst_boot *boot);
void bst_boot_free(struct bst_boot *boot);
/* An event save added from elsewhere (src=systemd: a unit), not the kernel's. */
int bst_is_imported(const struct bst_event *ev);
const struct bst_event **bst_time_order(const struct bst_capture *cap);
const char *bst_driver_identity(const struct bst_capture *cap,
				const struct bst_event *ev);
/*
 * The code that ran a probe as a group's label: its version, or for a
 * built-in driver or a module without a MODULE_VERSION "in-tree (<kernel
 * release>)" (returns 1 then, else 0).
 */
int bst_driver_version_label(const struct bst_capture *cap,
			     const struct bst_event *ev, char *buf,
			     size_t size);
void bst_model_free(struct bst_model *model);
size_t bst_model_slowest(const struct bst_model *model,
			 enum bst_span_kind kind,
			 const struct bst_span **out, size_t n);

/* errname.c: return codes by name */
const char *bst_errno_name(int64_t e);
void bst_format_rc(char *buf, size_t size, int64_t rc);

/* blame.c: probe time per driver, and the steps timed inside probes */
uint64_t bst_span_start_ns(const struct bst_span *sp);

/* Where a step ran: the probe around it on its thread, and how deep. */
struct bst_step_place {
	const struct bst_span *probe;	/* NULL: not inside a recorded probe */
	size_t depth;			/* 1 directly in the probe, 2 in a step of it, ... */
};

int bst_steps_place(const struct bst_model *model,
		    struct bst_step_place *place);

/* One function timed inside one driver's probes, all its calls summed. */
struct bst_step_row {
	const char *function;
	size_t depth;
	size_t calls;
	uint64_t total_ns;
	int has_ret;
	int64_t last_ret;
};

/* All probe attempts of one driver (or, unnamed, of one device). */
struct bst_blame_row {
	const char *driver;	/* "" when the kernel log did not name it */
	const char *device;	/* its first device: the row's name if no driver */
	const char *identity;	/* bst_driver_identity() of its last attempt */
	const struct bst_event *last;	/* that attempt's event: its module, version */
	size_t devices, attempts, running, deferred, failed, async, kmsg;
	uint64_t total_ns, longest_ns;
	int has_last_rc;
	int64_t last_rc;
	struct bst_step_row *steps;	/* longest first */
	size_t nsteps;
};

struct bst_blame {
	struct bst_blame_row *rows;	/* longest total first */
	size_t nrows;
	struct bst_step_row *steps;	/* storage of every row's steps */
	size_t nsteps;
};

int bst_blame_build(const struct bst_capture *cap,
		    const struct bst_model *model, struct bst_blame *blame);
void bst_blame_free(struct bst_blame *blame);

/* chain.c: what each milestone waited for */
#define BST_CHAIN_LINKS 12
#define BST_CHAINS_MAX 9	/* the boot's end and 8 interfaces */

struct bst_link {
	char name[200];			/* "net.carrier eth0", "probe virtio1 virtio_net" */
	const struct bst_event *ev;
	const struct bst_span *probe;	/* a probe attempt: the chain ends there */
	uint64_t t_ns;			/* when reached; a probe: when it began */
	size_t earlier_attempts;	/* a probe: that driver's attempts on */
	uint64_t earlier_ns;		/* that device before it, and their time */
};

struct bst_chain {
	char to[200];			/* "boot end", "net.ipv4 eth0" */
	struct bst_link links[BST_CHAIN_LINKS];	/* [0] the target, [i+1] what [i] waited for */
	size_t nlinks;
};

struct bst_chains {
	struct bst_chain *chains;
	size_t n;
	size_t more;			/* interfaces past BST_CHAINS_MAX */
};

int bst_chains_build(const struct bst_capture *cap,
		     const struct bst_model *model, const struct bst_boot *boot,
		     struct bst_chains *chains);
void bst_chains_free(struct bst_chains *chains);

/* output.c: show */
#include <stdio.h>
void bst_print_table(FILE *out, const struct bst_capture *cap,
		     const struct bst_model *model);
void bst_print_slowest(FILE *out, const struct bst_capture *cap,
		       const struct bst_model *model, size_t n);
void bst_format_ms(char *buf, size_t size, uint64_t ns);
void bst_format_duration(char *buf, size_t size, uint64_t ns);
void bst_print_startup(FILE *out, const struct bst_boot *boot);
void bst_print_blame(FILE *out, const struct bst_blame *blame, size_t n);
void bst_print_chains(FILE *out, const struct bst_chains *chains);
void bst_show_text(FILE *out, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest, int events);
void bst_show_json(FILE *out, const struct bst_capture *cap,
		   const struct bst_model *model, const struct bst_boot *boot,
		   size_t slowest);
void bst_show_csv(FILE *out, const struct bst_capture *cap);
void bst_print_inside_probes(FILE *out, const struct bst_model *model);

/* trace.c, prom.c, svg.c: the other outputs */
void bst_trace(FILE *out, const struct bst_capture *cap,
	       const struct bst_model *model, const struct bst_boot *boot);
void bst_prom(FILE *out, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot);
/*
 * bst_prom of the capture at path, into dir/bootstamps.prom, replaced
 * atomically (save --prom-dir). An exit status: 0, or 2 with a message.
 */
#define BST_PROM_FILE "bootstamps.prom"
int bst_prom_to_dir(const char *path, const char *dir);
void bst_plot(FILE *out, const struct bst_capture *cap,
	      const struct bst_model *model, const struct bst_boot *boot);

#endif /* BST_CAPTURE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_reap: run a command and stop every process it started, however
 * it started them.  run.sh runs its command through this: a process
 * left holding a VFIO device open makes vfio-pci's unbind wait for it
 * for ever, and the kselftest harness's test children setpgrp() out of
 * the command's process group, tests setsid() and daemons orphan
 * themselves.
 *
 *   vfio_reap [-k SECS] [-n NAME] -- COMMAND [ARGS...]
 *
 * As a child subreaper (PR_SET_CHILD_SUBREAPER), every orphan of the
 * tree is re-parented to this process, not to init: the tree is exactly
 * the processes whose parent chain leads here.  SIGINT, SIGTERM and
 * SIGHUP go to all of them (SIGTERM to those that ignore the signal),
 * with SIGCONT to wake stopped ones.  What is left when the command
 * ends, or still runs SECS (default 10) after a signal or at a second
 * one, is killed; every descendant is reaped before this exits.
 *
 * COMMAND runs in a session of its own.  Exit status: COMMAND's (128+N
 * when signal N killed it), 128+N when this got signal N first, 126 or
 * 127 when COMMAND cannot be run, 1 on a failure of its own, 2 on a
 * usage error.  Messages start with NAME (default vfio_reap).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the tree is looked at while it winds down. */
#define POLL_MS		200
/* How long SIGKILL is repeated before what survives it is left. */
#define KILL_SECS	10

static const char *name = "vfio_reap";

struct proc {
	pid_t pid;
	pid_t ppid;
	bool zombie;
	bool mine;
};

/* Every process of the system, then marked: which are ours. */
struct procs {
	struct proc *p;
	size_t *tree;
	size_t n;
	size_t cap;
};

struct reaper {
	pid_t cmd;		/* COMMAND, 0 once reaped */
	int status;		/* its wait status */
	int sig;		/* the first signal that came, 0 if none */
	int grace;		/* seconds between SIGTERM and SIGKILL */
	bool stopping;		/* the tree was told to stop */
	bool killing;		/* the grace time is over */
	struct timespec deadline;	/* of the grace time */
	struct procs ps;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* State and parent of one process, from /proc/PID/stat. */
static int read_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512], *s;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* comm may hold spaces and parentheses: the last ')' ends it. */
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %c %d", state, ppid) != 2)
		return -1;
	return 0;
}

static int grow(struct procs *ps)
{
	size_t cap = ps->cap ? 2 * ps->cap : 256;
	struct proc *p;
	size_t *tree;

	p = realloc(ps->p, cap * sizeof(*p));
	if (!p)
		return -1;
	ps->p = p;
	tree = realloc(ps->tree, cap * sizeof(*tree));
	if (!tree)
		return -1;
	ps->tree = tree;
	ps->cap = cap;
	return 0;
}

static int add_proc(struct procs *ps, pid_t pid)
{
	char state;
	pid_t ppid;

	if (read_stat(pid, &state, &ppid))
		return 0;	/* gone meanwhile */
	if (ps->n == ps->cap && grow(ps))
		return -1;
	ps->p[ps->n++] = (struct proc){ pid, ppid, state == 'Z', false };
	return 0;
}

static int scan_procs(struct procs *ps)
{
	struct dirent *e;
	DIR *d;
	int ret = 0;

	d = opendir("/proc");
	if (!d)
		return -1;
	ps->n = 0;
	while (!ret && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		ret = add_proc(ps, pid);
	}
	closedir(d);
	return ret;
}

/*
 * Mark this process's descendants, breadth first from here, into tree:
 * indices into p, the first n of them.  As a subreaper nothing of the
 * tree can be re-parented out of it, so this is all of it; a process
 * forked during the scan is found on the next one.
 */
static size_t mark_tree(struct procs *ps)
{
	pid_t parent = getpid();
	size_t i, n = 0, next = 0;

	for (;;) {
		for (i = 0; i < ps->n; i++) {
			if (ps->p[i].mine || ps->p[i].ppid != parent)
				continue;
			ps->p[i].mine = true;
			ps->tree[n++] = i;
		}
		if (next == n)
			return n;
		parent = ps->p[ps->tree[next++]].pid;
	}
}

/* The tree now, live processes only (a zombie only waits to be reaped). */
static size_t scan_tree(struct reaper *r)
{
	size_t i, all, n = 0;

	if (scan_procs(&r->ps)) {
		fprintf(stderr, "%s: cannot read /proc: %s\n", name, strerror(errno));
		return 0;
	}
	all = mark_tree(&r->ps);
	for (i = 0; i < all; i++)
		if (!r->ps.p[r->ps.tree[i]].zombie)
			r->ps.tree[n++] = r->ps.tree[i];
	return n;
}

/* Does pid ignore sig?  The SigIgn mask in /proc/PID/status says. */
static bool ignores(pid_t pid, int sig)
{
	unsigned long long mask = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigIgn: %llx", &mask) == 1)
			break;
	fclose(f);
	return mask >> (sig - 1) & 1;
}

/* "HEAD: PID (COMM) PID (COMM)...TAIL", the first n of the tree. */
static void say_tree(const struct reaper *r, size_t n, const char *head,
		     const char *tail)
{
	char path[64], comm[32];
	size_t i;

	fprintf(stderr, "%s: %s:", name, head);
	for (i = 0; i < n; i++) {
		pid_t pid = r->ps.p[r->ps.tree[i]].pid;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (!f || !fgets(comm, sizeof(comm), f))
			strcpy(comm, "?\n");
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		fprintf(stderr, " %d (%s)", pid, comm);
	}
	fprintf(stderr, "%s\n", tail);
}

/*
 * sig to the first n of the tree.  A process that ignores it gets
 * SIGTERM: shells start background commands with SIGINT ignored, and a
 * forwarded SIGINT would be lost.  SIGCONT wakes a stopped process, so
 * that it can act on the signal.
 */
static void signal_tree(const struct reaper *r, size_t n, int sig)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pid_t pid = r->ps.p[r->ps.tree[i]].pid;

		kill(pid, sig != SIGKILL && ignores(pid, sig) ? SIGTERM : sig);
		kill(pid, SIGCONT);
	}
}

/* Tell the tree to stop with sig; SIGKILL once the grace time is over. */
static void stop_tree(struct reaper *r, int sig)
{
	size_t n = scan_tree(r);

	r->stopping = true;
	clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	r->deadline.tv_sec += r->grace;
	signal_tree(r, n, sig);
}

/* Reap every child there is.  False when none is left: the tree is gone. */
static bool reap(struct reaper *r)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return false;
		if (pid == 0)
			return true;
		if (pid == r->cmd) {
			r->cmd = 0;
			r->status = status;
		}
	}
}

static bool past(const struct timespec *t, double extra)
{
	return now_s() >= t->tv_sec + t->tv_nsec / 1e9 + extra;
}

/*
 * The grace time is over: SIGKILL what is left, again on every poll
 * (a process forks on, or is in the kernel), for KILL_SECS at most.
 * False once it is time to give up on what survives.
 */
static bool kill_tree(struct reaper *r)
{
	size_t n = scan_tree(r);
	char head[64];

	snprintf(head, sizeof(head), "killing what still runs after %ds", r->grace);
	if (!r->killing && n)
		say_tree(r, n, head, "");
	r->killing = true;
	if (n && past(&r->deadline, KILL_SECS)) {
		say_tree(r, n, "still running after SIGKILL, left behind", "");
		return false;
	}
	signal_tree(r, n, SIGKILL);
	return true;
}

/* A signal: the first is forwarded, a second cuts the grace time short. */
static void on_signal(struct reaper *r, int sig)
{
	if (!r->sig)
		r->sig = sig;
	if (r->stopping)
		clock_gettime(CLOCK_MONOTONIC, &r->deadline);
	else
		stop_tree(r, sig);
}

/* One look at the tree.  False when it is gone (or given up on). */
static bool step(struct reaper *r)
{
	size_t n;

	if (!reap(r))
		return false;
	if (!r->stopping && !r->cmd) {
		/* The command is gone; what it left may hold a device. */
		n = scan_tree(r);
		if (n)
			say_tree(r, n, "the command left processes running",
				 ": stopping them");
		stop_tree(r, SIGTERM);
	}
	if (r->stopping && past(&r->deadline, 0))
		return kill_tree(r);
	return true;
}

static int exit_status(const struct reaper *r)
{
	if (r->sig)
		return 128 + r->sig;
	if (r->cmd)
		return 1;	/* left running, never reaped */
	if (WIFSIGNALED(r->status))
		return 128 + WTERMSIG(r->status);
	return WEXITSTATUS(r->status);
}

/* Wait for signals and children until the whole tree is reaped. */
static int run(struct reaper *r, const sigset_t *set)
{
	struct timespec poll = { 0, POLL_MS * 1000000L };

	while (step(r)) {
		int sig = sigtimedwait(set, NULL, &poll);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			on_signal(r, sig);
	}
	return exit_status(r);
}

/* In the child: COMMAND, with the signal state run.sh's caller gave. */
static void exec_command(char **argv, const sigset_t *old)
{
	setsid();
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", name, argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * Signals wait for sigtimedwait(), blocked; with their default action,
 * not SIG_IGN, or they are dropped when they come.  A shell starts a
 * background command with SIGINT ignored; COMMAND gets it back too.
 * SIGPIPE is ignored here: a message to a stderr nobody reads is lost,
 * no reason to stop.
 */
static void take_signals(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
	sigprocmask(SIG_BLOCK, set, old);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
}

static int bad_usage(void)
{
	fprintf(stderr, "usage: vfio_reap [-k SECS] [-n NAME] -- COMMAND [ARGS...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct reaper r = { .grace = 10 };
	sigset_t set, old;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "+k:n:")) != -1) {
		switch (opt) {
		case 'k':
			r.grace = strtol(optarg, &end, 10);
			if (*end || end == optarg || r.grace < 0)
				return bad_usage();
			break;
		case 'n':
			name = optarg;
			break;
		default:
			return bad_usage();
		}
	}
	if (optind == argc)
		return bad_usage();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		fprintf(stderr, "%s: cannot become a child subreaper: %s (Linux 3.4 or later has it)\n",
			name, strerror(errno));
		return 1;
	}
	/*
	 * Out of the caller's process group: a signal for the group (a
	 * terminal's ^C, timeout(1)) reaches the caller, which forwards it,
	 * and is not counted twice.  A group leader (started by a shell with
	 * job control) is out of it already.
	 */
	setsid();
	take_signals(&set, &old);
	r.cmd = fork();
	if (r.cmd < 0) {
		fprintf(stderr, "%s: cannot fork: %s\n", name, strerror(errno));
		return 1;
	}
	if (r.cmd == 0)
		exec_command(argv + optind, &old);
	return run(&r, &set);
}

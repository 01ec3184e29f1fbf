/*
 * shoal-shim: one per container (or exec). Holds the process's stdio, writes
 * the json-file log, reaps the process as a child subreaper and records its
 * exit status. The contract is PROTOCOL.md next to this file.
 *
 * One epoll loop; everything non-blocking except the short `crun create`
 * wait at start-up. No static buffers beyond a few path strings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json-log.h"
#include "timefmt.h"

/* Protocol frame types (PROTOCOL.md). */
enum { F_STDIN = 0, F_STDOUT = 1, F_STDERR = 2, F_CLOSE_STDIN = 4, F_HELLO = 5, F_RESIZE = 6, F_START = 7, F_START_RESULT = 8, F_EXIT = 9 };

#define READ_CHUNK (16 * 1024)
#define CLIENT_OUT_MAX (1024 * 1024)  /* a client further behind than this is dropped */
#define CLIENT_FRAME_MAX (1024 * 1024) /* largest frame accepted from a client */
#define STDIN_PENDING_MAX (256 * 1024) /* stop reading clients while this much stdin is unwritten */
#define DRAIN_MS 1000                  /* output drain after exit */
#define FINISH_MS 2000                 /* time to flush the exit frame to clients */
#define EXEC_POLL_MS 5

struct client {
  int fd;
  int hello, want_stdin, want_out, want_err;
  int paused;  /* EPOLLIN off while stdin is backed up */
  int rd_eof;  /* the client half-closed: nothing more to read */
  int shut;    /* closing and flushed: we shut down our side and wait for the client's EOF */
  int closing; /* exit frame queued: close when flushed */
  buf_t in, out;
  struct client *next;
};

static struct {
  /* options */
  const char *id, *bundle, *runtime, *runtime_root, *state_dir, *log_path, *exec_process;
  long long log_max_size;
  int log_max_files, tty, stdin_on, stdin_once;
  /* paths */
  char sock_path[PATH_MAX], console_path[PATH_MAX], console_arg[PATH_MAX];
  int dir_fd;
  /* fds */
  int ep, sfd, tfd, lfd, console_lfd;
  int out_fd, err_fd, in_fd; /* out_fd is the pty master with --tty (in_fd then too) */
  int log_fd_shim;
  /* process */
  pid_t proc_pid;  /* container init, or `crun exec` */
  pid_t crun_pid;  /* exec mode: same as proc_pid */
  int exited, exit_code;
  const char *exit_signal;
  char finished_at[RFC3339NANO_MAX];
  /* stdin */
  buf_t stdin_pending;
  int stdin_close_requested, stdin_closed;
  struct client *stdin_owner; /* --stdin-once: the first client that asked for stdin */
  int stdin_owner_seen;
  /* exec */
  int exec_started, exec_answered;
  struct client *start_client;
  char exec_pid_path[PATH_MAX];
  /* phases */
  int draining, finishing;
  struct timespec deadline;
  struct client *clients;
  jlog_t jlog;
  int have_jlog;
} S;

/* ---------- small helpers ---------- */

void shim_logf(const char *fmt, ...) {
  if (S.log_fd_shim < 0) return;
  char line[1024];
  char ts[RFC3339NANO_MAX];
  now_rfc3339nano(ts);
  int n = snprintf(line, sizeof line, "%s ", ts);
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  ssize_t w = write(S.log_fd_shim, line, (size_t)n);
  (void)w;
}

static void die(const char *what) {
  shim_logf("fatal: %s: %s", what, strerror(errno));
  exit(1);
}

static void ep_ctl(int op, int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(S.ep, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL) shim_logf("epoll_ctl(%d, fd %d): %s", op, fd, strerror(errno));
}

static void close_fd(int *fd) {
  if (*fd >= 0) {
    epoll_ctl(S.ep, EPOLL_CTL_DEL, *fd, NULL);
    close(*fd);
  }
  *fd = -1;
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static char *abs_path(const char *p) {
  if (p == NULL || p[0] == '/') return (char *)p;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return (char *)p;
  size_t n = strlen(cwd) + strlen(p) + 2;
  char *r = malloc(n);
  if (!r) return (char *)p;
  snprintf(r, n, "%s/%s", cwd, p);
  return r;
}

static int mkdir_p(const char *path) {
  char tmp[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof tmp) return -1;
  memcpy(tmp, path, n + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(tmp, 0711) < 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  }
  if (mkdir(tmp, 0711) < 0 && errno != EEXIST) return -1;
  return 0;
}

/* Write a file atomically (tmp + rename) inside the state dir. */
static int write_state_file(const char *name, const char *data, size_t n) {
  char tmp[PATH_MAX], dst[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", S.state_dir, name);
  snprintf(dst, sizeof dst, "%s/%s", S.state_dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  const char *p = data;
  size_t left = n;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    p += w;
    left -= (size_t)w;
  }
  fsync(fd);
  close(fd);
  return rename(tmp, dst);
}

/* Read a pid from a file; 0 when missing or invalid. */
static pid_t read_pid_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char b[32];
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return 0;
  b[n] = '\0';
  long v = strtol(b, NULL, 10);
  return v > 0 && v < INT_MAX ? (pid_t)v : 0;
}

/* The last non-empty line of state-dir/crun.log (crun's error), trimmed, into out. */
static void crun_error(char *out, size_t outsz, int status) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/crun.log", S.state_dir);
  out[0] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > 4000 ? size - 4000 : 0;
    char b[4001];
    ssize_t n = pread(fd, b, 4000, from);
    close(fd);
    if (n > 0) {
      b[n] = '\0';
      while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' ' || b[n - 1] == '\r')) b[--n] = '\0';
      char *start = strrchr(b, '\n');
      start = start ? start + 1 : b;
      size_t l = strlen(start);
      if (l >= outsz) l = outsz - 1;
      memcpy(out, start, l);
      out[l] = '\0';
    }
  }
  if (out[0] == '\0') {
    if (WIFEXITED(status)) snprintf(out, outsz, "%s exited with code %d", S.runtime, WEXITSTATUS(status));
    else snprintf(out, outsz, "%s was killed by signal %d", S.runtime, WTERMSIG(status));
  }
}

/* Append s as a JSON string (with quotes). */
static void json_str(buf_t *b, const char *s) {
  buf_append(b, "\"", 1);
  json_escape_bytes(b, (const unsigned char *)s, strlen(s));
  buf_append(b, "\"", 1);
}

/* Minimal reader for the flat JSON objects clients send: the value of "key". */
static const char *json_find(const char *p, size_t n, const char *key) {
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl + 2 <= n; i++) {
    if (p[i] == '"' && memcmp(p + i + 1, key, kl) == 0 && p[i + 1 + kl] == '"') {
      size_t j = i + kl + 2;
      while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r' || p[j] == ':')) j++;
      return j < n ? p + j : NULL;
    }
  }
  return NULL;
}

static int json_bool(const char *p, size_t n, const char *key) {
  const char *v = json_find(p, n, key);
  return v && (size_t)(p + n - v) >= 4 && memcmp(v, "true", 4) == 0;
}

static long json_int(const char *p, size_t n, const char *key) {
  const char *v = json_find(p, n, key);
  if (!v) return -1;
  long r = 0;
  int any = 0;
  while (v < p + n && *v >= '0' && *v <= '9' && r < 100000) {
    r = r * 10 + (*v - '0');
    v++;
    any = 1;
  }
  return any ? r : -1;
}

static void frame_header(unsigned char h[8], int type, uint32_t len) {
  h[0] = (unsigned char)type;
  h[1] = h[2] = h[3] = 0;
  h[4] = (unsigned char)(len >> 24);
  h[5] = (unsigned char)(len >> 16);
  h[6] = (unsigned char)(len >> 8);
  h[7] = (unsigned char)len;
}

/* ---------- deadlines (one timerfd) ---------- */

static void arm_timer(long ms) {
  struct itimerspec its = {0};
  if (ms > 0) {
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000L;
  }
  timerfd_settime(S.tfd, 0, &its, NULL);
}

static void set_deadline(long ms) {
  clock_gettime(CLOCK_MONOTONIC, &S.deadline);
  S.deadline.tv_sec += ms / 1000;
  S.deadline.tv_nsec += (ms % 1000) * 1000000L;
  if (S.deadline.tv_nsec >= 1000000000L) {
    S.deadline.tv_sec++;
    S.deadline.tv_nsec -= 1000000000L;
  }
}

static int deadline_passed(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > S.deadline.tv_sec || (now.tv_sec == S.deadline.tv_sec && now.tv_nsec >= S.deadline.tv_nsec);
}

/* ---------- clients ---------- */

static void client_drop(struct client *c) {
  struct client **pp = &S.clients;
  while (*pp && *pp != c) pp = &(*pp)->next;
  if (*pp) *pp = c->next;
  if (c->fd >= 0) {
    /*
     * Closing a unix socket that still has unread input makes the kernel
     * give the peer ECONNRESET, and the peer may then lose output we sent
     * it (the exit frame, the last lines). Read and discard what the client
     * sent (e.g. a late close-stdin) and shut down our side first.
     */
    char junk[4096];
    shutdown(c->fd, SHUT_WR);
    while (recv(c->fd, junk, sizeof junk, MSG_DONTWAIT) > 0) {
    }
  }
  close_fd(&c->fd);
  buf_free(&c->in);
  buf_free(&c->out);
  if (S.start_client == c) S.start_client = NULL;
  if (S.stdin_owner == c) {
    S.stdin_owner = NULL;
    if (S.stdin_once && !S.stdin_closed) S.stdin_close_requested = 1;
  }
  free(c);
}

/* Whether c is still a live client (compares pointers only; c may be freed). */
static int client_alive(const struct client *c) {
  for (struct client *x = S.clients; x; x = x->next)
    if (x == c) return 1;
  return 0;
}

static struct client *client_by_fd(int fd) {
  for (struct client *c = S.clients; c; c = c->next)
    if (c->fd == fd) return c;
  return NULL;
}

static void client_update_events(struct client *c) {
  /* level-triggered: never ask for EPOLLRDHUP/EPOLLIN once they cannot be served, or the loop spins */
  uint32_t ev = 0;
  if (!c->paused && !c->rd_eof && (!c->closing || c->shut)) ev |= EPOLLIN | EPOLLRDHUP;
  if (buf_size(&c->out) > 0) ev |= EPOLLOUT;
  ep_ctl(EPOLL_CTL_MOD, c->fd, ev);
}

/* Try to write the client's queue; returns -1 when the client was dropped. */
static int client_flush(struct client *c) {
  while (buf_size(&c->out) > 0) {
    ssize_t w = send(c->fd, buf_head(&c->out), buf_size(&c->out), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      client_drop(c);
      return -1;
    }
    buf_consume(&c->out, (size_t)w);
  }
  if (buf_size(&c->out) == 0 && c->closing) {
    if (c->rd_eof) {
      client_drop(c);
      return -1;
    }
    /*
     * Everything is sent. Closing now could leave input the client sent
     * late (a close-stdin) unread, and closing a unix socket with unread
     * input resets the peer, which may then lose what we sent. Shut down
     * our side and drop the client at its EOF (or at the finish deadline).
     */
    if (!c->shut) {
      shutdown(c->fd, SHUT_WR);
      c->shut = 1;
    }
  }
  client_update_events(c);
  return 0;
}

/* Queue one frame for a client; drops it when it is too far behind. */
static void client_send(struct client *c, int type, const void *p, size_t n) {
  unsigned char h[8];
  frame_header(h, type, (uint32_t)n);
  int was_empty = buf_size(&c->out) == 0;
  if (buf_size(&c->out) + n + 8 > CLIENT_OUT_MAX && !c->closing && type != F_EXIT) {
    shim_logf("dropping a slow client (%zu bytes behind)", buf_size(&c->out));
    client_drop(c);
    return;
  }
  if (buf_append(&c->out, h, 8) < 0 || buf_append(&c->out, p, n) < 0) {
    client_drop(c);
    return;
  }
  if (was_empty) client_flush(c);
}

/* ---------- stdin ---------- */

static void resume_clients(void) {
  for (struct client *c = S.clients; c; c = c->next)
    if (c->paused) {
      c->paused = 0;
      client_update_events(c);
    }
}

static void stdin_update(void) {
  if (S.in_fd < 0) return;
  if (buf_size(&S.stdin_pending) == 0 && S.stdin_close_requested && !S.stdin_closed) {
    S.stdin_closed = 1;
    if (S.tty) {
      /* a pty has no half-close: send EOF (^D) like a terminal */
      ssize_t w = write(S.in_fd, "\x04", 1);
      (void)w;
    } else {
      close_fd(&S.in_fd);
      return;
    }
  }
  if (S.tty) {
    /* the pty master is also the output fd: keep EPOLLIN on it */
    ep_ctl(EPOLL_CTL_MOD, S.in_fd, EPOLLIN | (buf_size(&S.stdin_pending) > 0 ? EPOLLOUT : 0));
  } else {
    ep_ctl(EPOLL_CTL_MOD, S.in_fd, buf_size(&S.stdin_pending) > 0 ? EPOLLOUT : 0);
  }
}

static void stdin_write(void) {
  while (S.in_fd >= 0 && buf_size(&S.stdin_pending) > 0) {
    ssize_t w = write(S.in_fd, buf_head(&S.stdin_pending), buf_size(&S.stdin_pending));
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      /* the process closed its stdin: discard what is pending */
      buf_consume(&S.stdin_pending, buf_size(&S.stdin_pending));
      if (!S.tty) {
        S.stdin_closed = 1;
        close_fd(&S.in_fd);
      }
      break;
    }
    buf_consume(&S.stdin_pending, (size_t)w);
  }
  if (buf_size(&S.stdin_pending) < STDIN_PENDING_MAX / 2) resume_clients();
  stdin_update();
}

/* ---------- output ---------- */

static void dispatch_output(int stream, const char *data, size_t n) {
  if (S.have_jlog) jlog_write(&S.jlog, stream, data, n);
  struct client *c = S.clients, *next;
  for (; c; c = next) {
    next = c->next;
    if (c->hello && !c->closing && ((stream == 1 && c->want_out) || (stream == 2 && c->want_err))) client_send(c, stream, data, n);
  }
}

static int all_output_closed(void) { return S.out_fd < 0 && S.err_fd < 0; }

static void accept_clients(void);
static int client_read(struct client *c);

/*
 * Before output is dispatched, take in clients that already connected and
 * their hello frames: output goes to a client "from the moment it
 * connected", even when its connection and the output became ready in the
 * same epoll round.
 */
static void sync_pending_clients(void) {
  if (S.lfd >= 0) accept_clients();
  struct client *c = S.clients, *next;
  for (; c; c = next) {
    next = c->next;
    if (!c->hello && !c->rd_eof) client_read(c);
  }
}

static void read_output(int *fd, int stream) {
  char *b = malloc(READ_CHUNK);
  if (!b) return;
  sync_pending_clients();
  for (int rounds = 0; rounds < 16 && *fd >= 0; rounds++) {
    ssize_t n = read(*fd, b, READ_CHUNK);
    if (n > 0) {
      dispatch_output(stream, b, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    /* EOF, or EIO on a pty master whose slave side is all closed */
    if (S.tty && *fd == S.in_fd) S.in_fd = -1;
    close_fd(fd);
  }
  free(b);
}

/* ---------- exit ---------- */

static void close_io(void);

static void exit_json(buf_t *b) {
  char num[32];
  snprintf(num, sizeof num, "%d", S.exit_code);
  buf_append(b, "{\"exitCode\":", 12);
  buf_append(b, num, strlen(num));
  buf_append(b, ",\"signal\":", 10);
  if (S.exit_signal) json_str(b, S.exit_signal);
  else buf_append(b, "null", 4);
  buf_append(b, ",\"finishedAt\":", 14);
  json_str(b, S.finished_at);
  buf_append(b, "}", 1);
}

static void remove_socket(void) {
  if (S.lfd >= 0) {
    close_fd(&S.lfd);
    unlink(S.sock_path);
  }
}

/* Output drained (or the drain deadline passed): record and tell everyone. */
static void finish(void) {
  if (S.finishing) return;
  S.finishing = 1;
  if (S.have_jlog) jlog_close(&S.jlog);
  buf_t j = {0};
  exit_json(&j);
  if (write_state_file("exit.json", buf_head(&j), buf_size(&j)) < 0) shim_logf("write exit.json: %s", strerror(errno));
  remove_socket();
  close_io();
  struct client *c = S.clients, *next;
  for (; c; c = next) {
    next = c->next;
    c->closing = 1;
    client_send(c, F_EXIT, buf_head(&j), buf_size(&j)); /* may drop c once flushed */
  }
  buf_free(&j);
  shim_logf("process exited: code %d%s%s", S.exit_code, S.exit_signal ? " signal " : "", S.exit_signal ? S.exit_signal : "");
  set_deadline(FINISH_MS);
  arm_timer(FINISH_MS);
}

static void close_io(void) {
  if (S.tty && S.in_fd == S.out_fd) S.in_fd = -1;
  close_fd(&S.out_fd);
  close_fd(&S.err_fd);
  close_fd(&S.in_fd);
}

static void reschedule(void);

/* ---------- exec mode: the start answer ---------- */

static void answer_start(int ok, pid_t pid, const char *error) {
  if (S.exec_answered) return;
  S.exec_answered = 1;
  buf_t b = {0};
  if (ok) {
    char num[64];
    snprintf(num, sizeof num, "{\"ok\":true,\"pid\":%d}", (int)pid);
    buf_append(&b, num, strlen(num));
  } else {
    buf_append(&b, "{\"ok\":false,\"error\":", 20);
    json_str(&b, error);
    buf_append(&b, "}", 1);
  }
  if (S.start_client) client_send(S.start_client, F_START_RESULT, buf_head(&b), buf_size(&b));
  buf_free(&b);
}

static void poll_exec_pid(void) {
  if (!S.exec_started || S.exec_answered) return;
  pid_t p = read_pid_file(S.exec_pid_path);
  if (p > 0) answer_start(1, p, NULL);
}

/* ---------- reaping ---------- */

static void on_proc_exit(int status) {
  S.exited = 1;
  now_rfc3339nano(S.finished_at);
  if (WIFSIGNALED(status)) {
    S.exit_code = 128 + WTERMSIG(status);
    S.exit_signal = signal_name(WTERMSIG(status));
  } else {
    S.exit_code = WEXITSTATUS(status);
    S.exit_signal = NULL;
  }
  if (S.exec_process && !S.exec_answered) {
    pid_t p = read_pid_file(S.exec_pid_path);
    if (p > 0) answer_start(1, p, NULL);
    else {
      char err[1024];
      crun_error(err, sizeof err, status);
      answer_start(0, 0, err);
      S.exit_code = 126; /* Docker's code for "exec could not start the command" */
      S.exit_signal = NULL;
    }
  }
  S.draining = 1;
  set_deadline(DRAIN_MS);
  reschedule();
}

static void on_sigchld(void) {
  struct signalfd_siginfo si;
  while (read(S.sfd, &si, sizeof si) == (ssize_t)sizeof si) {
  }
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p <= 0) break;
    if (p == S.proc_pid && !S.exited) on_proc_exit(st);
    /* anything else: orphans re-parented to us (we are a subreaper) */
  }
}

/* ---------- timer ---------- */

static long ms_to_deadline(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long ms = (S.deadline.tv_sec - now.tv_sec) * 1000 + (S.deadline.tv_nsec - now.tv_nsec) / 1000000;
  return ms < 1 ? 1 : ms;
}

static void reschedule(void) {
  long ms = 0;
  if (S.draining || S.finishing) ms = ms_to_deadline();
  if (S.exec_started && !S.exec_answered && (ms == 0 || ms > EXEC_POLL_MS)) ms = EXEC_POLL_MS;
  arm_timer(ms);
}

static void on_timer(void) {
  uint64_t n;
  ssize_t r = read(S.tfd, &n, sizeof n);
  (void)r;
  poll_exec_pid();
  if (S.finishing && deadline_passed()) {
    shim_logf("exit frame not flushed to every client in time; exiting");
    exit(0);
  }
  if (S.draining && !S.finishing && deadline_passed()) {
    shim_logf("output not drained within %d ms of the exit (a background process holds it)", DRAIN_MS);
    finish();
  }
  reschedule();
}

/* ---------- unix sockets ---------- */

/* sun_path for dir/name, through /proc/self/fd when the path is too long. */
static int unix_addr(struct sockaddr_un *a, const char *full, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (strlen(full) < sizeof a->sun_path) {
    strcpy(a->sun_path, full);
    return 0;
  }
  int n = snprintf(a->sun_path, sizeof a->sun_path, "/proc/self/fd/%d/%s", S.dir_fd, name);
  return n > 0 && (size_t)n < sizeof a->sun_path ? 0 : -1;
}

static int listen_unix(const char *full, const char *name) {
  struct sockaddr_un a;
  if (unix_addr(&a, full, name) < 0) {
    errno = ENAMETOOLONG;
    return -1;
  }
  unlink(full);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* Receive the pty master crun sends over the console socket. */
static int recv_pty(int lfd) {
  int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) return -1;
  char data[256];
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t n;
  do n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  close(c);
  if (n < 0) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

static int pending_rows = -1, pending_cols = -1;

static void apply_resize(void) {
  if (!S.tty || S.out_fd < 0 || pending_rows < 0) return;
  struct winsize ws = {.ws_row = (unsigned short)pending_rows, .ws_col = (unsigned short)pending_cols};
  if (ioctl(S.out_fd, TIOCSWINSZ, &ws) < 0) shim_logf("resize: %s", strerror(errno));
}

static void use_pty(int master) {
  set_nonblock(master);
  S.out_fd = master;
  S.in_fd = S.stdin_on ? master : -1;
  ep_ctl(EPOLL_CTL_ADD, master, EPOLLIN);
  apply_resize();
  if (S.in_fd >= 0) stdin_write();
}

/* ---------- running crun ---------- */

/* fork+exec the runtime with the process's stdio (pipes, or /dev/null with a tty). */
static pid_t spawn_runtime(char *const argv[]) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (!S.tty) {
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) return -1;
    if (S.stdin_on && pipe2(in, O_CLOEXEC) < 0) return -1;
  }
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    dup2(in[0] >= 0 ? in[0] : devnull, 0);
    dup2(out[1] >= 0 ? out[1] : devnull, 1);
    dup2(err[1] >= 0 ? err[1] : devnull, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  close(devnull);
  if (in[0] >= 0) close(in[0]);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  if (!S.tty) {
    S.out_fd = out[0];
    S.err_fd = err[0];
    S.in_fd = in[1];
    set_nonblock(S.out_fd);
    set_nonblock(S.err_fd);
    ep_ctl(EPOLL_CTL_ADD, S.out_fd, EPOLLIN);
    ep_ctl(EPOLL_CTL_ADD, S.err_fd, EPOLLIN);
    if (S.in_fd >= 0) {
      set_nonblock(S.in_fd);
      ep_ctl(EPOLL_CTL_ADD, S.in_fd, 0);
      stdin_write();
    }
  }
  return pid;
}

static void exec_start(struct client *c) {
  if (S.exec_started) {
    const char *m = "{\"ok\":false,\"error\":\"already started\"}";
    client_send(c, F_START_RESULT, m, strlen(m));
    return;
  }
  S.exec_started = 1;
  S.start_client = c;
  char root_log[PATH_MAX + 16], *argv[16];
  int i = 0;
  snprintf(root_log, sizeof root_log, "--log=file:%s/crun.log", S.state_dir);
  snprintf(S.exec_pid_path, sizeof S.exec_pid_path, "%s/exec.pid", S.state_dir);
  unlink(S.exec_pid_path);
  argv[i++] = (char *)S.runtime;
  argv[i++] = "--root";
  argv[i++] = (char *)S.runtime_root;
  argv[i++] = root_log;
  argv[i++] = "exec";
  argv[i++] = "--pid-file";
  argv[i++] = S.exec_pid_path;
  argv[i++] = "--process";
  argv[i++] = (char *)S.exec_process;
  if (S.tty) {
    argv[i++] = "--console-socket";
    argv[i++] = S.console_arg;
  }
  argv[i++] = (char *)S.id;
  argv[i] = NULL;
  pid_t p = spawn_runtime(argv);
  if (p < 0) {
    char e[512];
    snprintf(e, sizeof e, "cannot run %s: %s", S.runtime, strerror(errno));
    answer_start(0, 0, e);
    S.exited = 1;
    S.exit_code = 126;
    now_rfc3339nano(S.finished_at);
    finish();
    return;
  }
  S.proc_pid = S.crun_pid = p;
  reschedule();
}

/* ---------- client input ---------- */

static void on_frame(struct client *c, int type, const char *p, size_t n) {
  if (!c->hello) {
    if (type != F_HELLO) {
      shim_logf("client sent frame %d before hello; dropped", type);
      client_drop(c);
      return;
    }
    c->hello = 1;
    c->want_stdin = json_bool(p, n, "stdin");
    c->want_out = json_bool(p, n, "stdout");
    c->want_err = json_bool(p, n, "stderr");
    if (c->want_stdin && S.stdin_once && !S.stdin_owner_seen) {
      S.stdin_owner = c;
      S.stdin_owner_seen = 1;
    }
    return;
  }
  switch (type) {
    case F_STDIN:
      if (!S.stdin_on || S.stdin_closed || S.stdin_close_requested) return;
      if (buf_append(&S.stdin_pending, p, n) < 0) return;
      if (buf_size(&S.stdin_pending) > STDIN_PENDING_MAX) {
        c->paused = 1;
        client_update_events(c);
      }
      stdin_write();
      return;
    case F_CLOSE_STDIN:
      if (!S.stdin_on) return;
      S.stdin_close_requested = 1;
      if (S.in_fd >= 0) stdin_write();
      return;
    case F_RESIZE: {
      long h = json_int(p, n, "h"), w = json_int(p, n, "w");
      if (h > 0 && w > 0) {
        pending_rows = (int)h;
        pending_cols = (int)w;
        apply_resize();
      }
      return;
    }
    case F_START:
      if (S.exec_process) exec_start(c);
      else {
        const char *m = "{\"ok\":false,\"error\":\"start is for exec mode only\"}";
        client_send(c, F_START_RESULT, m, strlen(m));
      }
      return;
    default:
      shim_logf("client sent unknown frame type %d; ignored", type);
  }
}

/* Returns -1 when the client was dropped. */
static int client_read(struct client *c) {
  char *b = malloc(READ_CHUNK);
  if (!b) return 0;
  for (int rounds = 0; rounds < 8; rounds++) {
    ssize_t n = recv(c->fd, b, READ_CHUNK, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      /* peer closed (or half-closed): stop reading, keep sending until it hangs up */
      free(b);
      if (n < 0 || c->closing) {
        client_drop(c);
        return -1;
      }
      c->rd_eof = 1;
      if (S.stdin_owner == c) {
        S.stdin_owner = NULL;
        if (S.stdin_once && !S.stdin_closed) {
          S.stdin_close_requested = 1;
          stdin_write();
        }
      }
      client_update_events(c);
      return 0;
    }
    if (buf_append(&c->in, b, (size_t)n) < 0) break;
    while (buf_size(&c->in) >= 8) {
      const unsigned char *h = (const unsigned char *)buf_head(&c->in);
      uint32_t len = ((uint32_t)h[4] << 24) | ((uint32_t)h[5] << 16) | ((uint32_t)h[6] << 8) | h[7];
      if (len > CLIENT_FRAME_MAX) {
        shim_logf("client frame of %u bytes is too large; dropped", len);
        free(b);
        client_drop(c);
        return -1;
      }
      if (buf_size(&c->in) < 8 + (size_t)len) break;
      int type = h[0];
      if (!c->shut) on_frame(c, type, buf_head(&c->in) + 8, len);
      if (!client_alive(c)) { /* dropped inside (bad frame, or the process ended) */
        free(b);
        return -1;
      }
      buf_consume(&c->in, 8 + (size_t)len);
    }
    if (c->paused) break;
  }
  free(b);
  return 0;
}

static void accept_clients(void) {
  for (;;) {
    int fd = accept4(S.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    struct client *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      return;
    }
    c->fd = fd;
    c->next = S.clients;
    S.clients = c;
    ep_ctl(EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP);
  }
}

/* ---------- start-up ---------- */

static int hs_fd = -1;

static void handshake(const char *json) {
  if (hs_fd < 0) return;
  size_t n = strlen(json);
  ssize_t w = write(hs_fd, json, n);
  (void)w;
  close(hs_fd);
  hs_fd = -1;
}

static void startup_fail(const char *msg) {
  buf_t b = {0};
  buf_append(&b, "{\"ok\":false,\"error\":", 20);
  json_str(&b, msg);
  buf_append(&b, "}\n", 3);
  shim_logf("start-up failed: %s", msg);
  handshake(buf_head(&b));
  buf_free(&b);
  remove_socket();
  if (S.console_path[0]) unlink(S.console_path);
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/shim.pid", S.state_dir);
  unlink(p);
  exit(1);
}

static void create_container(void) {
  char root_log[PATH_MAX + 16], pid_path[PATH_MAX], *argv[20];
  int i = 0;
  snprintf(root_log, sizeof root_log, "--log=file:%s/crun.log", S.state_dir);
  snprintf(pid_path, sizeof pid_path, "%s/init.pid", S.state_dir);
  unlink(pid_path);
  argv[i++] = (char *)S.runtime;
  argv[i++] = "--root";
  argv[i++] = (char *)S.runtime_root;
  argv[i++] = root_log;
  argv[i++] = "create";
  argv[i++] = "--bundle";
  argv[i++] = (char *)S.bundle;
  argv[i++] = "--pid-file";
  argv[i++] = pid_path;
  if (S.tty) {
    argv[i++] = "--console-socket";
    argv[i++] = S.console_arg;
  }
  argv[i++] = (char *)S.id;
  argv[i] = NULL;
  pid_t p = spawn_runtime(argv);
  if (p < 0) {
    char e[512];
    snprintf(e, sizeof e, "cannot run %s: %s", S.runtime, strerror(errno));
    startup_fail(e);
  }
  int st = 0;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char e[1024];
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && access(S.runtime, X_OK) < 0)
      snprintf(e, sizeof e, "cannot run %s: %s", S.runtime, strerror(errno));
    else crun_error(e, sizeof e, st);
    startup_fail(e);
  }
  S.proc_pid = read_pid_file(pid_path);
  if (S.proc_pid <= 0) startup_fail("crun create wrote no pid file");
  if (S.tty) {
    int m = recv_pty(S.console_lfd);
    if (m < 0) {
      char e[256];
      snprintf(e, sizeof e, "no pty received on the console socket: %s", strerror(errno));
      startup_fail(e);
    }
    close_fd(&S.console_lfd);
    unlink(S.console_path);
    use_pty(m);
  }
  char ok[128];
  snprintf(ok, sizeof ok, "{\"ok\":true,\"pid\":%d,\"shimPid\":%d}\n", (int)S.proc_pid, (int)getpid());
  handshake(ok);
}

static void usage(const char *why) {
  fprintf(stderr, "shoal-shim: %s\n", why);
  fprintf(stderr, "usage: shoal-shim --id ID --bundle DIR --runtime PATH --runtime-root DIR --state-dir DIR\n"
                  "                  [--log-path FILE --log-max-size BYTES --log-max-files N]\n"
                  "                  [--tty] [--stdin] [--stdin-once] [--exec PROCESS_JSON]\n");
  exit(2);
}

static void parse_args(int argc, char **argv) {
  static const struct option opts[] = {
    {"id", required_argument, 0, 'i'},        {"bundle", required_argument, 0, 'b'},
    {"runtime", required_argument, 0, 'r'},   {"runtime-root", required_argument, 0, 'R'},
    {"state-dir", required_argument, 0, 's'}, {"log-path", required_argument, 0, 'l'},
    {"log-max-size", required_argument, 0, 'm'}, {"log-max-files", required_argument, 0, 'f'},
    {"tty", no_argument, 0, 't'},             {"stdin", no_argument, 0, 'I'},
    {"stdin-once", no_argument, 0, 'o'},      {"exec", required_argument, 0, 'e'},
    {0, 0, 0, 0},
  };
  S.runtime = "/usr/bin/crun";
  S.log_max_files = 1;
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'i': S.id = optarg; break;
      case 'b': S.bundle = optarg; break;
      case 'r': S.runtime = optarg; break;
      case 'R': S.runtime_root = optarg; break;
      case 's': S.state_dir = optarg; break;
      case 'l': S.log_path = optarg; break;
      case 'm':
        S.log_max_size = strtoll(optarg, &end, 10);
        if (*end || S.log_max_size < 0) usage("--log-max-size must be a number of bytes >= 0");
        break;
      case 'f':
        S.log_max_files = (int)strtol(optarg, &end, 10);
        if (*end || S.log_max_files < 1) usage("--log-max-files must be >= 1");
        break;
      case 't': S.tty = 1; break;
      case 'I': S.stdin_on = 1; break;
      case 'o': S.stdin_once = 1; break;
      case 'e': S.exec_process = optarg; break;
      default: usage("unknown option");
    }
  }
  if (optind < argc) usage("unexpected argument");
  if (!S.id || !S.runtime_root || !S.state_dir) usage("--id, --runtime-root and --state-dir are required");
  if (!S.exec_process && !S.bundle) usage("--bundle is required (or --exec)");
  S.bundle = abs_path(S.bundle);
  S.runtime = abs_path(S.runtime);
  S.runtime_root = abs_path(S.runtime_root);
  S.state_dir = abs_path(S.state_dir);
  S.log_path = abs_path(S.log_path);
  S.exec_process = abs_path(S.exec_process);
}

int main(int argc, char **argv) {
  S.ep = S.sfd = S.tfd = S.lfd = S.console_lfd = S.out_fd = S.err_fd = S.in_fd = S.log_fd_shim = S.dir_fd = -1;
  parse_args(argc, argv);
  if (mkdir_p(S.state_dir) < 0) {
    printf("{\"ok\":false,\"error\":\"cannot create state dir %s: %s\"}\n", S.state_dir, strerror(errno));
    return 1;
  }
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/shim.log", S.state_dir);
  S.log_fd_shim = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  S.dir_fd = open(S.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  pid_t pid = fork();
  if (pid < 0) {
    printf("{\"ok\":false,\"error\":\"fork: %s\"}\n", strerror(errno));
    return 1;
  }
  if (pid > 0) _exit(0);

  /* the daemon */
  setsid();
  hs_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (devnull > 2) close(devnull);
  }
  if (chdir("/") < 0) shim_logf("chdir /: %s", strerror(errno));
  umask(022);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("prctl(PR_SET_CHILD_SUBREAPER)");
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);

  /* a state dir can be reused (restart): nothing of a previous run may be mistaken for this one */
  static const char *const stale[] = {"exit.json", "crun.log", "init.pid", "exec.pid"};
  for (size_t k = 0; k < sizeof stale / sizeof stale[0]; k++) {
    snprintf(p, sizeof p, "%s/%s", S.state_dir, stale[k]);
    unlink(p);
  }

  char pidline[32];
  int pl = snprintf(pidline, sizeof pidline, "%d\n", (int)getpid());
  if (write_state_file("shim.pid", pidline, (size_t)pl) < 0) startup_fail("cannot write shim.pid");

  S.ep = epoll_create1(EPOLL_CLOEXEC);
  S.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  S.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (S.ep < 0 || S.sfd < 0 || S.tfd < 0) startup_fail("cannot create epoll/signalfd/timerfd");
  ep_ctl(EPOLL_CTL_ADD, S.sfd, EPOLLIN);
  ep_ctl(EPOLL_CTL_ADD, S.tfd, EPOLLIN);

  snprintf(S.sock_path, sizeof S.sock_path, "%s/control.sock", S.state_dir);
  S.lfd = listen_unix(S.sock_path, "control.sock");
  if (S.lfd < 0) {
    char e[PATH_MAX + 64];
    snprintf(e, sizeof e, "cannot listen on %s: %s", S.sock_path, strerror(errno));
    startup_fail(e);
  }
  ep_ctl(EPOLL_CTL_ADD, S.lfd, EPOLLIN);

  if (S.tty) {
    snprintf(S.console_path, sizeof S.console_path, "%s/console.sock", S.state_dir);
    S.console_lfd = listen_unix(S.console_path, "console.sock");
    if (S.console_lfd < 0) startup_fail("cannot listen on the console socket");
    struct sockaddr_un a;
    if (strlen(S.console_path) < sizeof a.sun_path) snprintf(S.console_arg, sizeof S.console_arg, "%s", S.console_path);
    else snprintf(S.console_arg, sizeof S.console_arg, "/proc/%d/fd/%d/console.sock", (int)getpid(), S.dir_fd);
  }

  if (S.log_path && !S.exec_process) {
    if (jlog_open(&S.jlog, S.log_path, S.log_max_size, S.log_max_files) < 0) {
      char e[PATH_MAX + 64];
      snprintf(e, sizeof e, "cannot open log %s: %s", S.log_path, strerror(errno));
      startup_fail(e);
    }
    S.have_jlog = 1;
  }

  if (S.exec_process) {
    if (S.tty) ep_ctl(EPOLL_CTL_ADD, S.console_lfd, EPOLLIN);
    char ok[64];
    snprintf(ok, sizeof ok, "{\"ok\":true,\"shimPid\":%d}\n", (int)getpid());
    handshake(ok);
  } else {
    create_container();
  }

  struct epoll_event evs[16];
  for (;;) {
    int n = epoll_wait(S.ep, evs, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      uint32_t e = evs[i].events;
      if (fd < 0) continue;
      if (fd == S.sfd) on_sigchld();
      else if (fd == S.tfd) on_timer();
      else if (fd == S.lfd) accept_clients();
      else if (fd == S.console_lfd) {
        int m = recv_pty(S.console_lfd);
        close_fd(&S.console_lfd);
        unlink(S.console_path);
        if (m >= 0) use_pty(m);
        else shim_logf("no pty received for the exec: %s", strerror(errno));
      } else if (fd == S.out_fd) {
        if (S.tty && (e & EPOLLOUT) && S.in_fd >= 0) stdin_write();
        if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_output(&S.out_fd, 1);
      } else if (fd == S.err_fd) read_output(&S.err_fd, 2);
      else if (fd == S.in_fd) {
        if (e & (EPOLLERR | EPOLLHUP)) {
          /* the process closed its end of stdin */
          buf_consume(&S.stdin_pending, buf_size(&S.stdin_pending));
          S.stdin_closed = 1;
          close_fd(&S.in_fd);
          resume_clients();
        } else stdin_write();
      }
      else {
        struct client *c = client_by_fd(fd);
        if (!c) continue;
        if ((e & EPOLLIN) && client_read(c) < 0) continue;
        if (e & (EPOLLHUP | EPOLLERR)) {
          client_drop(c);
          continue;
        }
        if (e & EPOLLOUT) client_flush(c);
      }
    }
    if (S.exited && !S.finishing && all_output_closed()) finish();
    if (S.finishing && S.clients == NULL) exit(0);
  }
}

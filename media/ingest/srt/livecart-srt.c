/*
 * livecart-srt: the SRT listener of livecart's ingest.
 *
 * One SRT listener for every stream. libsrt's listen callback runs before a
 * caller is accepted; there the helper asks the app whether the caller's
 * streamid is a stream key (one line out, one line back), and a wrong key is
 * rejected in the SRT handshake itself, with a reject reason the encoder
 * shows. An accepted caller's payload (MPEG-TS) is copied, as it comes, to a
 * Unix socket of the app, one connection per caller. Neither ffmpeg nor
 * srt-live-transmit exposes that callback, hence this program; it holds no
 * policy (keys, limits and codecs are the app's) and no media logic.
 *
 *   livecart-srt BIND_ADDR PORT MEDIA_SOCKET_PATH LATENCY_MS MAX_SESSIONS
 *   (a passphrase, if any, comes in the environment: LIVECART_SRT_PASSPHRASE)
 *
 * stdout, one line each:  ready PORT | auth ID PEER HEX_STREAMID | open ID |
 *                         stats ID BYTES LOST DROPPED RTT_MS MBPS | closed ID REASON
 * stdin, one line each:   ok ID | no ID REJECT_CODE | close ID
 *
 * It exits when stdin closes (the app is gone) and dies with its parent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <srt/access_control.h>
#include <srt/srt.h>

#define MAX_LINE 2048
#define AUTH_WAIT_MS 3000
#define MAX_PENDING 64

struct session {
  SRTSOCKET srt;
  int fd; /* the app's Unix socket for this caller's payload */
  int active;
};

struct pending {
  SRTSOCKET id;
  int state; /* 0 waiting, 1 ok, 2 refused */
  int code;
};

static struct session *sessions;
static int max_sessions;
static int active_sessions;
static const char *media_path;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t auth_cond = PTHREAD_COND_INITIALIZER;
static struct pending pendings[MAX_PENDING];

static void say(const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&out_lock);
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

/* Called by libsrt for each caller, before it is accepted: ask the app. */
static int on_listen(void *opaque, SRTSOCKET ns, int hsversion, const struct sockaddr *peer, const char *streamid) {
  (void)opaque;
  (void)hsversion;
  char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
  socklen_t len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  getnameinfo(peer, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);

  pthread_mutex_lock(&auth_lock);
  int slot = -1;
  for (int i = 0; i < MAX_PENDING; i++)
    if (pendings[i].id == SRT_INVALID_SOCK) {
      slot = i;
      break;
    }
  if (slot < 0 || active_sessions >= max_sessions) {
    pthread_mutex_unlock(&auth_lock);
    srt_setrejectreason(ns, SRT_REJX_OVERLOAD);
    return -1;
  }
  pendings[slot].id = ns;
  pendings[slot].state = 0;
  pendings[slot].code = 0;

  /* The streamid goes out as hex: it is the caller's text, possibly with spaces or newlines. */
  size_t n = streamid ? strlen(streamid) : 0;
  if (n > 512) n = 512;
  char hex[1025];
  for (size_t i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", (unsigned char)streamid[i]);
  hex[2 * n] = '\0';
  say("auth %d %s:%s %s", (int)ns, host, port, n ? hex : "-");

  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += AUTH_WAIT_MS / 1000;
  while (pendings[slot].state == 0)
    if (pthread_cond_timedwait(&auth_cond, &auth_lock, &until) == ETIMEDOUT) break;
  int state = pendings[slot].state, code = pendings[slot].code;
  pendings[slot].id = SRT_INVALID_SOCK;
  pthread_mutex_unlock(&auth_lock);

  if (state == 1) return 0;
  srt_setrejectreason(ns, state == 2 ? code : SRT_REJX_OVERLOAD);
  return -1;
}

static void decide(SRTSOCKET id, int state, int code) {
  pthread_mutex_lock(&auth_lock);
  for (int i = 0; i < MAX_PENDING; i++)
    if (pendings[i].id == id && pendings[i].state == 0) {
      pendings[i].state = state;
      pendings[i].code = code;
    }
  pthread_cond_broadcast(&auth_cond);
  pthread_mutex_unlock(&auth_lock);
}

static struct session *find(SRTSOCKET s) {
  for (int i = 0; i < max_sessions; i++)
    if (sessions[i].active && sessions[i].srt == s) return &sessions[i];
  return NULL;
}

static void end_session(int eid, struct session *ss, const char *why) {
  if (!ss || !ss->active) return;
  srt_epoll_remove_usock(eid, ss->srt);
  srt_close(ss->srt);
  if (ss->fd >= 0) close(ss->fd);
  say("closed %d %s", (int)ss->srt, why);
  ss->active = 0;
  pthread_mutex_lock(&auth_lock);
  active_sessions--;
  pthread_mutex_unlock(&auth_lock);
}

/* A connection to the app's media socket, announced by the caller's id on its first line. */
static int media_connect(SRTSOCKET id) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, media_path, sizeof addr.sun_path - 1);
  int buf = 2 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    close(fd);
    return -1;
  }
  char head[32];
  int n = snprintf(head, sizeof head, "%d\n", (int)id);
  if (write(fd, head, n) != n) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static void on_accept(int eid, SRTSOCKET listener) {
  struct sockaddr_storage peer;
  int len = sizeof peer;
  SRTSOCKET s = srt_accept(listener, (struct sockaddr *)&peer, &len);
  if (s == SRT_INVALID_SOCK) return;
  struct session *slot = NULL;
  for (int i = 0; i < max_sessions; i++)
    if (!sessions[i].active) {
      slot = &sessions[i];
      break;
    }
  int no = 0;
  srt_setsockflag(s, SRTO_RCVSYN, &no, sizeof no);
  int fd = slot ? media_connect(s) : -1;
  if (!slot || fd < 0) {
    srt_close(s);
    say("closed %d %s", (int)s, slot ? "the app's media socket refused the connection" : "too many sessions");
    return;
  }
  slot->srt = s;
  slot->fd = fd;
  slot->active = 1;
  pthread_mutex_lock(&auth_lock);
  active_sessions++;
  pthread_mutex_unlock(&auth_lock);
  int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  srt_epoll_add_usock(eid, s, &events);
  say("open %d", (int)s);
}

/* Copies what a caller sent to its media socket. A full socket (the app is behind) drops the packet. */
static void on_readable(int eid, struct session *ss) {
  char buf[1500];
  for (;;) {
    int n = srt_recvmsg(ss->srt, buf, sizeof buf);
    if (n > 0) {
      ssize_t w = send(ss->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        end_session(eid, ss, "the app closed the media socket");
        return;
      }
      continue;
    }
    if (n == 0 || srt_getlasterror(NULL) != SRT_EASYNCRCV) end_session(eid, ss, "the caller disconnected");
    return;
  }
}

static void handle_line(int eid, char *line) {
  int id = 0, code = 0;
  if (sscanf(line, "ok %d", &id) == 1) decide(id, 1, 0);
  else if (sscanf(line, "no %d %d", &id, &code) == 2) decide(id, 2, code);
  else if (sscanf(line, "close %d", &id) == 1) end_session(eid, find(id), "closed by the app");
}

static void report_stats(void) {
  for (int i = 0; i < max_sessions; i++) {
    if (!sessions[i].active) continue;
    SRT_TRACEBSTATS p;
    if (srt_bstats(sessions[i].srt, &p, 0) != 0) continue;
    say("stats %d %llu %d %d %.1f %.3f", (int)sessions[i].srt, (unsigned long long)p.byteRecvTotal,
        p.pktRcvLossTotal, p.pktRcvDropTotal, p.msRTT, p.mbpsRecvRate);
  }
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s BIND_ADDR PORT MEDIA_SOCKET_PATH LATENCY_MS MAX_SESSIONS\n", argv[0]);
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGPIPE, SIG_IGN);
  media_path = argv[3];
  int latency = atoi(argv[4]);
  max_sessions = atoi(argv[5]);
  if (max_sessions < 1) max_sessions = 1;
  sessions = calloc(max_sessions, sizeof *sessions);
  for (int i = 0; i < MAX_PENDING; i++) pendings[i].id = SRT_INVALID_SOCK;

  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST};
  struct addrinfo *ai;
  if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
    fprintf(stderr, "livecart-srt: bad listen address %s:%s\n", argv[1], argv[2]);
    return 2;
  }
  srt_startup();
  srt_setloglevel(2 /* LOG_CRIT */);
  SRTSOCKET lsn = srt_create_socket();
  int yes = 1, no = 0;
  srt_setsockflag(lsn, SRTO_RCVSYN, &no, sizeof no);
  srt_setsockflag(lsn, SRTO_LATENCY, &latency, sizeof latency);
  const char *pass = getenv("LIVECART_SRT_PASSPHRASE");
  if (pass && *pass) srt_setsockflag(lsn, SRTO_PASSPHRASE, pass, strlen(pass));
  if (ai->ai_family == AF_INET6) srt_setsockflag(lsn, SRTO_IPV6ONLY, &no, sizeof no);
  srt_setsockflag(lsn, SRTO_REUSEADDR, &yes, sizeof yes);
  if (srt_bind(lsn, ai->ai_addr, ai->ai_addrlen) == SRT_ERROR || srt_listen(lsn, 16) == SRT_ERROR) {
    fprintf(stderr, "livecart-srt: cannot listen on %s:%s: %s\n", argv[1], argv[2], srt_getlasterror_str());
    return 1;
  }
  freeaddrinfo(ai);
  srt_listen_callback(lsn, on_listen, NULL);

  struct sockaddr_storage bound;
  int blen = sizeof bound;
  srt_getsockname(lsn, (struct sockaddr *)&bound, &blen);
  int port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);

  int eid = srt_epoll_create();
  int in = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  srt_epoll_add_usock(eid, lsn, &in);
  srt_epoll_add_ssock(eid, STDIN_FILENO, &in);
  say("ready %d", port);

  char line[MAX_LINE];
  size_t used = 0;
  long long next_stats = now_ms() + 1000;
  int cap = max_sessions + 1;
  SRTSOCKET *ready = calloc(cap, sizeof *ready);
  for (;;) {
    int rn = cap, sn = 1;
    SYSSOCKET sys[1];
    int r = srt_epoll_wait(eid, ready, &rn, NULL, NULL, 200, sys, &sn, NULL, NULL);
    if (r < 0) rn = sn = 0;
    for (int i = 0; i < rn; i++) {
      if (ready[i] == lsn) on_accept(eid, lsn);
      else {
        struct session *ss = find(ready[i]);
        if (!ss) continue;
        SRT_SOCKSTATUS st = srt_getsockstate(ss->srt);
        if (st == SRTS_BROKEN || st == SRTS_CLOSED || st == SRTS_NONEXIST) end_session(eid, ss, "the caller disconnected");
        else on_readable(eid, ss);
      }
    }
    if (sn > 0) {
      ssize_t n = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
      if (n <= 0) break; /* the app is gone */
      used += n;
      char *start = line, *nl;
      while ((nl = memchr(start, '\n', line + used - start))) {
        *nl = '\0';
        handle_line(eid, start);
        start = nl + 1;
      }
      used = line + used - start;
      memmove(line, start, used);
      if (used == sizeof line - 1) used = 0; /* a line that long is garbage */
    }
    if (now_ms() >= next_stats) {
      report_stats();
      next_stats = now_ms() + 1000;
    }
  }
  for (int i = 0; i < max_sessions; i++) end_session(eid, &sessions[i], "the listener stopped");
  srt_close(lsn);
  srt_cleanup();
  return 0;
}

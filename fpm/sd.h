/*
 * sd.h - the two halves of the systemd protocol fpm speaks, without
 * libsystemd: state notifications to the service manager (sd_notify(3))
 * and sockets handed over by socket activation (sd_listen_fds(3)).
 *
 * sd_notifyf() has libsystemd's name but not its signature (there is no
 * unset_environment here): this header and <systemd/sd-daemon.h> cannot be
 * included together, nor libsystemd linked in.
 */
#ifndef FPM_SD_H
#define FPM_SD_H

/* Send one notification, an environment-like block of NAME=value lines
 * ("READY=1", "STATUS=...", "STOPPING=1"), as a single datagram to the
 * unix socket named by $NOTIFY_SOCKET: a path, or an abstract name when it
 * starts with '@'.  The variable stays set, for the next notification; the
 * service manager ignores what workers might send (NotifyAccess=main).
 * Never blocks (a full queue is EAGAIN) and never raises SIGPIPE.
 *
 * Returns 1 if sent, 0 if NOTIFY_SOCKET is unset, or -1 with errno:
 * EAFNOSUPPORT for a value that is neither a path nor '@'-name,
 * ENAMETOOLONG for one that does not fit a sockaddr_un, ENOMEM; else what
 * socket(2) or sendto(2) said (ENOENT, ECONNREFUSED, EAGAIN...). */
int sd_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with the MONOTONIC_USEC=<CLOCK_MONOTONIC in microseconds> that
 * Type=notify-reload requires (older managers ignore it).  Send "READY=1"
 * when the reload is done.  Returns as sd_notifyf(). */
int sd_notify_reloading(void);

struct sd_socket {
	int fd;
	char name[256];		/* FileDescriptorName=, "" when not given */
};

/* Take the sockets of socket activation: when LISTEN_PID is our pid and
 * LISTEN_FDS is n > 0, fds 3 to 3 + n - 1 are ours, named in order by the
 * colon-separated LISTEN_FDNAMES.  Each fd gets FD_CLOEXEC: the caller
 * decides what workers inherit.
 *
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are unset whatever the
 * outcome, so that neither workers nor a second call see them.
 *
 * Returns n and *out, an array of n to free(3).  Returns 0 and *out =
 * NULL when nothing is passed: a variable unset, LISTEN_FDS=0, or the
 * LISTEN_PID of another process (then LISTEN_FDS is not even read).
 * Returns -1 with errno and *out = NULL, no fd touched: EINVAL for a
 * malformed LISTEN_PID or LISTEN_FDS, or a LISTEN_FDNAMES with other than
 * n names or a name over 255 bytes; EBADF when a passed fd is not open;
 * ENOMEM. */
int sd_listen_sockets(struct sd_socket **out);

#endif

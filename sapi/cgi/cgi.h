/*
 * cgi.h - what the CGI sapi shows its unit tests.
 */
#ifndef FPM_CGI_H
#define FPM_CGI_H

/* The script's three pipes (stdin, stdout, stderr), close-on-exec, made
 * by mkpipe (pipe2(2) in the sapi).  Returns 0, or -1 with errno set and
 * none of them left open. */
int cgi_pipes(int fds[3][2], int (*mkpipe)(int pipefd[2], int flags));

#endif

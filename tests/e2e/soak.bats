#!/usr/bin/env bats
# scripts/soak for 60 seconds: crashes, recycling (requests and memory),
# dynamic and ondemand scaling, emergency restarts, uploads, work after
# fpm_finish_request, reloads and log reopenings through nginx, at once.
# Every request not meant to crash is answered 200 (uploads whole), and no
# process outlives the master.

load helpers

@test "a 60-second mixed run answers every non-crashing request and leaves no process behind" {
	run "$REPO/scripts/soak" 60
	echo "$output"
	assert_success
	assert_line "soak: passed"
	assert_line --regexp '^requests: ([0-9]{3,}) sent, \1 answered, meant to crash: [1-9][0-9]*, others not 200: 0$'
	assert_line --regexp '^signals: [1-9][0-9]* reloads \(USR2\), [1-9][0-9]* log reopenings \(USR1\)$'
	assert_line --regexp '^ +[1-9][0-9]* upload 200$'
	assert_line --regexp '^ +[1-9][0-9]* finish 200$'
	# the master holds as many descriptors at the end as at the start
	# (but its workers' output pipes, as many as there are workers)
	assert_line --regexp '^master: [0-9]+ kB, ([0-9]+) fds at the start, [0-9]+ kB, \1 fds at the end$'
	assert_line --regexp '^workers seen: [0-9]+, left running: 0, master exit: 0$'
}

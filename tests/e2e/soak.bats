#!/usr/bin/env bats
# scripts/soak for 60 seconds: crashes, recycling (requests and memory),
# dynamic and ondemand scaling and emergency restarts through nginx, at
# once.  Every request not meant to crash is answered 200, and no process
# outlives the master.

load helpers

@test "a 60-second mixed run answers every non-crashing request and leaves no process behind" {
	run "$REPO/scripts/soak" 60
	echo "$output"
	assert_success
	assert_line "soak: passed"
	assert_line --regexp '^requests: [0-9]{3,}, meant to crash: [1-9][0-9]*, others not 200: 0$'
	assert_line --regexp '^workers seen: [0-9]+, left running: 0, master exit: 0$'
}

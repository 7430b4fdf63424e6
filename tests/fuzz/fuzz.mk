# fuzz.mk - build the libFuzzer targets of tests/fuzz with clang, apart
# from the tree's own objects (configure's gcc build is left alone).
# Run from the top of the tree, after configure (config.h):
#
#   make -f tests/fuzz/fuzz.mk [OUT=build-fuzz]
#
# The project's sources are compiled once into $(OUT)/libcore.a with
# coverage instrumentation and the sanitizers; each target links only the
# objects it needs from there.

OUT ?= build-fuzz
CC = clang
PKGS = fcgi inih libcap libdw
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra $(SAN)
CPPFLAGS = -I. -Ifpm -Isapi $(shell pkg-config --cflags $(PKGS)) \
	-DFPM_CONF_DEFAULT='"/nonexistent/fpm.ini"' \
	-DFPM_PHP_MODULE='"/nonexistent/php.so"' -MMD -MP
LDLIBS = $(shell pkg-config --libs $(PKGS)) -ldl -lpthread

CORE_SRC = $(filter-out fpm/main.c fpm/fpmctl.c,$(wildcard fpm/*.c)) \
	sapi/pages.c sapi/prescan.c sapi/runtime.c \
	sapi/native/native.c sapi/cgi/cgi.c sapi/cgi/response.c
CORE_OBJ = $(CORE_SRC:%.c=$(OUT)/%.o)
TARGETS = fuzz_request fuzz_conf fuzz_status_query fuzz_prescan fuzz_cgi

all: $(TARGETS:%=$(OUT)/%)

$(OUT)/%.o: %.c config.h tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(OUT)/libcore.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(OUT)/%: $(OUT)/tests/fuzz/%.o $(OUT)/libcore.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

.PHONY: all
.SECONDARY:
-include $(CORE_OBJ:.o=.d) $(TARGETS:%=$(OUT)/tests/fuzz/%.d)

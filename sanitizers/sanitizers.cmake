# Which sanitizer this build uses, and therefore which detector its
# `hazardlab` command and its tests run:
#   none    -> detector "outcome" (outcome classes under stress schedulers)
#   thread  -> detector "tsan" (or tsan19, tsan-gcc: HAZARDLAB_TSAN_DETECTOR)
#   address -> detector "asan" (AddressSanitizer + UBSan + LeakSanitizer)
# and two native builds (none) with detectors of their own:
#   HAZARDLAB_THREAD_SAFETY -> detector "thread-safety" (clang's -Wthread-safety)
#   HAZARDLAB_ABSL_MUTEX    -> detector "absl" (Abseil's Mutex deadlock detector)
set(HAZARDLAB_SANITIZER "none" CACHE STRING "Sanitizer for the whole build: none, thread or address")
set_property(CACHE HAZARDLAB_SANITIZER PROPERTY STRINGS none thread address)
option(HAZARDLAB_THREAD_SAFETY "the thread-safety build: compile each case file with clang's -Wthread-safety and judge its warnings" OFF)
if(HAZARDLAB_VALGRIND_TOOL AND (NOT HAZARDLAB_SANITIZER STREQUAL "none" OR HAZARDLAB_THREAD_SAFETY))
  message(FATAL_ERROR "HAZARDLAB_VALGRIND_TOOL is a native build of its own: HAZARDLAB_SANITIZER must be none, "
                      "HAZARDLAB_THREAD_SAFETY off")
endif()
if(HAZARDLAB_THREAD_SAFETY AND NOT HAZARDLAB_SANITIZER STREQUAL "none")
  message(FATAL_ERROR "HAZARDLAB_THREAD_SAFETY is a native build: HAZARDLAB_SANITIZER must be none")
endif()
# The absl build: the harness's Mutex and ConditionVariable are absl::Mutex
# and absl::CondVar (harness/schedule/native_mutex.h), with Abseil's deadlock
# detector on. Native only: Abseil turns the detector off in TSan builds, and
# Debian's prebuilt Abseil is not instrumented for any sanitizer.
option(HAZARDLAB_ABSL_MUTEX "the absl build: the harness Mutex is absl::Mutex and Abseil's deadlock detector judges" OFF)
if(HAZARDLAB_ABSL_MUTEX AND (NOT HAZARDLAB_SANITIZER STREQUAL "none" OR HAZARDLAB_THREAD_SAFETY))
  message(FATAL_ERROR "HAZARDLAB_ABSL_MUTEX is a native build of its own: HAZARDLAB_SANITIZER must be none, HAZARDLAB_THREAD_SAFETY off")
endif()

# Frame pointers everywhere: sanitizer stacks (and the case frames the
# classifier looks for) stay complete and cheap to unwind.
add_compile_options(-fno-omit-frame-pointer)

# Which ThreadSanitizer detector a thread build is: the preset says (tsan:
# clang 14, the reference; tsan19: clang 19; tsan-gcc: GCC's libtsan), since
# each is judged against its own declarations (harness/case.h, Detector).
set(HAZARDLAB_TSAN_DETECTOR "tsan" CACHE STRING "Detector name of a HAZARDLAB_SANITIZER=thread build: tsan, tsan19 or tsan-gcc")
set_property(CACHE HAZARDLAB_TSAN_DETECTOR PROPERTY STRINGS tsan tsan19 tsan-gcc)

if(HAZARDLAB_SANITIZER STREQUAL "thread")
  if(NOT HAZARDLAB_TSAN_DETECTOR MATCHES "^(tsan|tsan19|tsan-gcc)$")
    message(FATAL_ERROR "HAZARDLAB_TSAN_DETECTOR must be tsan, tsan19 or tsan-gcc (got '${HAZARDLAB_TSAN_DETECTOR}')")
  endif()
  set(HAZARDLAB_DETECTOR "${HAZARDLAB_TSAN_DETECTOR}")
  # -O1, as the TSan documentation advises: at -O2 clang 14 vectorized main's
  # read of a std::array (missing_join) into a load TSan did not instrument,
  # and the race went unreported (measured: 0 of 10 at -O2, 10 of 10 at -O1).
  add_compile_options(-fsanitize=thread -O1)
  add_link_options(-fsanitize=thread)
elseif(HAZARDLAB_SANITIZER STREQUAL "address")
  set(HAZARDLAB_DETECTOR "asan")
  # Recovering from UBSan keeps one run's report list complete; ASan stops at
  # its first error anyway.
  add_compile_options(-fsanitize=address,undefined -fsanitize-address-use-after-scope)
  add_link_options(-fsanitize=address,undefined)
elseif(HAZARDLAB_SANITIZER STREQUAL "none")
  set(HAZARDLAB_DETECTOR "outcome")
  if(HAZARDLAB_VALGRIND_TOOL)
    # A native build whose trials run under Valgrind's helgrind or drd
    # (valgrind/valgrind.cmake: the program, its options, suppressions).
    set(HAZARDLAB_DETECTOR "${HAZARDLAB_VALGRIND_TOOL}")
  endif()
  if(HAZARDLAB_THREAD_SAFETY)
    # A native build whose detector is the compiler's -Wthread-safety
    # analysis of the case files (cmake/thread_safety.cmake).
    set(HAZARDLAB_DETECTOR "thread-safety")
  endif()
  if(HAZARDLAB_ABSL_MUTEX)
    set(HAZARDLAB_DETECTOR "absl")
    # Everything that includes harness/schedule/sync.h (cases, harness, tests)
    # must agree on what a Mutex is.
    add_compile_definitions(HAZARDLAB_ABSL_MUTEX)
  endif()
else()
  message(FATAL_ERROR "HAZARDLAB_SANITIZER must be none, thread or address (got '${HAZARDLAB_SANITIZER}')")
endif()

# Runtime options: the commented files in this folder are the one source.
# Sanitizer option files accept no comments, so the build writes stripped
# copies to <build>/sanitizers/; the test presets point *SAN_OPTIONS at them
# and the binaries fall back to them when no *SAN_OPTIONS is set.
set(HAZARDLAB_SANITIZER_OPTIONS_DIR "${CMAKE_BINARY_DIR}/sanitizers")
foreach(tool IN ITEMS tsan asan ubsan lsan)
  set(source "${CMAKE_CURRENT_LIST_DIR}/${tool}.options")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
  file(STRINGS "${source}" lines REGEX "^[^#]")
  string(JOIN "\n" options ${lines})
  string(REPLACE "@SANITIZERS_SOURCE_DIR@" "${CMAKE_CURRENT_LIST_DIR}" options "${options}")
  # clang 19's runtime cannot drive clang 14's llvm-symbolizer (the one on
  # PATH): it prints "invalid path to external symbolizer" and every frame
  # stays <null>, so no report has a case line. Its own (Debian package
  # llvm-19) is named here.
  if(tool STREQUAL "tsan" AND HAZARDLAB_DETECTOR STREQUAL "tsan19")
    find_program(HAZARDLAB_LLVM19_SYMBOLIZER NAMES llvm-symbolizer-19 REQUIRED)
    string(APPEND options "\nexternal_symbolizer_path=${HAZARDLAB_LLVM19_SYMBOLIZER}")
  endif()
  file(WRITE "${HAZARDLAB_SANITIZER_OPTIONS_DIR}/${tool}.options" "${options}\n")
endforeach()

# Linked into every executable of a sanitized build (see default_options.cc).
add_library(hazardlab_sanitizer_defaults OBJECT "${CMAKE_CURRENT_LIST_DIR}/default_options.cc")
target_compile_definitions(hazardlab_sanitizer_defaults PRIVATE
  HAZARDLAB_SANITIZER_OPTIONS_DIR="${HAZARDLAB_SANITIZER_OPTIONS_DIR}")

# Included by CTest before it runs (TEST_INCLUDE_FILES): asks the built
# `hazardlab` which (case, variant, detector) tests this build has and adds
# one CTest test for each. Reading the registry at test time keeps the case
# files the only place a case is declared.
#
# Seeds: every test runs from a pinned seed (kPinnedSeed below, in its
# arguments), so a red test is a fact its replay line repeats, not a draw that
# the next run may not make again. A soak run wants the opposite, a fresh seed
# each time: the environment variable HAZARDLAB_RANDOM_SEEDS (set to 1 in a
# test preset's environment, or for one ctest run) or the cache variable of the
# same name leaves the seed out, and each run draws one (printed with its
# verdict).
#
# Expects HAZARDLAB, HAZARDLAB_FIXTURE, HAZARDLAB_TEST_TIMEOUT and
# HAZARDLAB_RANDOM_SEEDS (the cache variable) to be set by the generated
# wrapper (tests/CMakeLists.txt).
set(kPinnedSeed 1)
set(seed_argument "--seed=${kPinnedSeed}")
if(HAZARDLAB_RANDOM_SEEDS OR "$ENV{HAZARDLAB_RANDOM_SEEDS}")
  set(seed_argument "")
endif()
if(NOT EXISTS "${HAZARDLAB}")
  add_test(hazardlab_not_built "${HAZARDLAB}")
  return()
endif()
execute_process(COMMAND "${HAZARDLAB}" list --format=ctest
                OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "hazardlab list --format=ctest failed (${status})")
endif()
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "|" ";" fields "${line}")
  list(GET fields 0 name)
  list(GET fields 1 labels)
  list(GET fields 2 args)
  string(REPLACE "," ";" labels "${labels}")
  separate_arguments(args UNIX_COMMAND "${args}")
  # A seed is for runs: the thread-safety detector's tests (`warnings`) read
  # a compiler log and run nothing.
  list(GET args 0 verb)
  if(verb STREQUAL "run")
    add_test("${name}" "${HAZARDLAB}" ${args} ${seed_argument})
  else()
    add_test("${name}" "${HAZARDLAB}" ${args})
  endif()
  # The harness's watchdog turns hangs into verdicts long before this backstop.
  set_tests_properties("${name}" PROPERTIES LABELS "${labels}" TIMEOUT "${HAZARDLAB_TEST_TIMEOUT}")
  if(HAZARDLAB_FIXTURE)
    set_tests_properties("${name}" PROPERTIES FIXTURES_REQUIRED "${HAZARDLAB_FIXTURE}")
  endif()
endforeach()

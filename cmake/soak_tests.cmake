# Included by CTest before it runs, after case_tests.cmake, when the
# environment has HAZARDLAB_SOAK set (the `soak` test preset sets it): the
# nightly soak. Every fixed variant must stay clean over 100,000 pct
# schedules, and every broken variant must show its declared evidence within
# its declared pct budget in each of 100 explorations from unrelated random
# seeds. Seeds are random here on purpose (each night explores new ones);
# every failure prints the seed and the command that replays it.
#
# Expects HAZARDLAB (the built command) to be set by the generated wrapper.
if(NOT DEFINED ENV{HAZARDLAB_SOAK} OR NOT EXISTS "${HAZARDLAB}")
  return()
endif()
set(fixed_schedules 100000)
set(broken_rounds 100)
set(expectation_key pct)
if(HAZARDLAB_DETECTOR STREQUAL "tsan")
  # Under TSan every schedule is a process of its own (forked, 40 to 200 ms
  # of CPU on the 2-core machine): a thousand per fixed variant, and ten rounds of
  # each broken variant's TSan budget (tsan_pct_sees, else the default 100).
  set(fixed_schedules 1000)
  set(broken_rounds 10)
  set(expectation_key tsan_pct)
endif()
execute_process(COMMAND "${HAZARDLAB}" list --format=json OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "hazardlab list --format=json failed (${status})")
endif()
string(JSON case_count LENGTH "${listing}")
math(EXPR last_case "${case_count} - 1")
foreach(ci RANGE ${last_case})
  string(JSON case_name GET "${listing}" ${ci} name)
  string(JSON variant_count LENGTH "${listing}" ${ci} variants)
  if(variant_count EQUAL 0)
    continue()  # a benchmark lesson
  endif()
  math(EXPR last_variant "${variant_count} - 1")
  foreach(vi RANGE ${last_variant})
    string(JSON variant GET "${listing}" ${ci} variants ${vi} name)
    string(JSON broken GET "${listing}" ${ci} variants ${vi} broken)
    string(JSON pct_expectation GET "${listing}" ${ci} variants ${vi} expect ${expectation_key})
    set(name "soak.${case_name}.${variant}.pct")
    set(run "\"${HAZARDLAB}\" run ${case_name} --variant=${variant} --scheduler=pct")
    if(broken)
      if(pct_expectation MATCHES "^misses")
        continue()  # declared invisible to pct: nothing to explore
      endif()
      if(HAZARDLAB_DETECTOR STREQUAL "tsan" AND NOT pct_expectation MATCHES "report")
        continue()  # TSan's soak is about races; hangs and crashes are the dev soak's
      endif()
      # Each round explores the declared budget (the default for a broken
      # variant) from its own random base seed, and must find the evidence.
      add_test("${name}" bash -c
        "for round in $(seq ${broken_rounds}); do out=$(${run} --seed=$((RANDOM * 32768 + RANDOM)) 2>&1) || { printf '%s\\n' \"$out\"; echo \"round $round of ${broken_rounds} not as declared\"; exit 1; }; done; echo '${broken_rounds} rounds, each as declared'")
    else()
      add_test("${name}" bash -c "${run} --schedules=${fixed_schedules} --seed=$((RANDOM * 32768 + RANDOM))")
    endif()
    set_tests_properties("${name}" PROPERTIES LABELS "soak;${case_name};${variant};pct" TIMEOUT 21600)
  endforeach()
endforeach()

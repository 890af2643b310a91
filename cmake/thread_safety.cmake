# The thread-safety build (HAZARDLAB_THREAD_SAFETY, the thread-safety preset):
# clang's -Wthread-safety analysis as a detector. Each case file is compiled
# once more with -fsyntax-only and the analysis on (-Wthread-safety-beta
# too: it checks ABSL_ACQUIRED_BEFORE/AFTER), and what the compiler prints
# is kept in <build>/thread-safety/<case>.log. No trial runs: the CTest test
# of each (case, variant) is `hazardlab warnings CASE --variant=V`, which
# places each warning of the log in the case function holding its line and
# judges it against the variant's declaration (harness/cli/warnings.h).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "the thread-safety build needs clang: -Wthread-safety is clang's analysis")
endif()

file(GLOB case_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/cases/*.cc")
list(SORT case_files)
set(logs "")
foreach(source IN LISTS case_files)
  get_filename_component(stem "${source}" NAME_WE)
  set(log "${CMAKE_BINARY_DIR}/thread-safety/${stem}.log")
  add_custom_command(
    OUTPUT "${log}"
    COMMAND "${CMAKE_COMMAND}" "-DCOMPILER=${CMAKE_CXX_COMPILER}" "-DSOURCE_DIR=${PROJECT_SOURCE_DIR}"
            "-DSOURCE=cases/${stem}.cc" "-DLOG=${log}" "-DDEPFILE=${log}.d"
            -P "${PROJECT_SOURCE_DIR}/cmake/compile_log.cmake"
    DEPENDS "${source}" "${PROJECT_SOURCE_DIR}/cmake/compile_log.cmake"
    DEPFILE "${log}.d"
    COMMENT "thread-safety analysis of cases/${stem}.cc"
    VERBATIM)
  list(APPEND logs "${log}")
endforeach()
add_custom_target(thread_safety_logs ALL DEPENDS ${logs})

# The tests, read from the registry when CTest starts (cmake/case_tests.cmake,
# as in the other builds): this build's detector is thread-safety.
set(wrapper "${CMAKE_BINARY_DIR}/case_tests_include.cmake")
file(GENERATE OUTPUT "${wrapper}" CONTENT
"set(HAZARDLAB \"$<TARGET_FILE:hazardlab>\")
set(HAZARDLAB_FIXTURE \"\")
set(HAZARDLAB_TEST_TIMEOUT 60)
set(HAZARDLAB_RANDOM_SEEDS \"\")
include(\"${PROJECT_SOURCE_DIR}/cmake/case_tests.cmake\")
")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${wrapper}")

# The README's samples of this build (`$ build/thread-safety/hazardlab ...`)
# are what it prints.
add_test(NAME cli.readme_sample_is_what_the_program_prints
         COMMAND bash "${PROJECT_SOURCE_DIR}/tests/readme_samples.sh" "${PROJECT_SOURCE_DIR}/README.md"
                 thread-safety "$<TARGET_FILE:hazardlab>"
         WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
set_tests_properties(cli.readme_sample_is_what_the_program_prints PROPERTIES LABELS "cli" TIMEOUT 60)

# The detector matrix's thread-safety column (ci/matrix/warnings_column.sh)
# is what this build's compiler printed: every (case, variant) once, judged
# from the logs, scored like any column.
add_test(NAME cli.warnings_all_json_is_the_matrix_column
         COMMAND python3 "${PROJECT_SOURCE_DIR}/tests/matrix/warnings_column_test.py" "$<TARGET_FILE:hazardlab>")
set_tests_properties(cli.warnings_all_json_is_the_matrix_column PROPERTIES LABELS "cli;matrix" TIMEOUT 60)

# One case file through clang's thread-safety analysis, its output kept:
#   cmake -DCOMPILER=clang++ -DSOURCE_DIR=... -DSOURCE=cases/x.cc -DLOG=x.log -DDEPFILE=x.log.d -P compile_log.cmake
# Warnings are the detector's findings and do not fail the build; an error
# (the file does not compile) does, with the compiler's output.
execute_process(
  COMMAND "${COMPILER}" -std=c++20 -fsyntax-only -Wthread-safety -Wthread-safety-beta -fno-color-diagnostics
          "-I${SOURCE_DIR}" -MD -MF "${DEPFILE}" -MT "${LOG}" "${SOURCE}"
  WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
file(WRITE "${LOG}" "${out}${err}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${SOURCE} does not compile (${status}):\n${out}${err}")
endif()

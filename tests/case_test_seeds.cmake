# Checks that every case test runs from a pinned seed (so a red test replays),
# and that HAZARDLAB_RANDOM_SEEDS in CTest's environment leaves the seed out
# (so a soak run draws fresh ones). Asks CTest itself for the commands it
# would run: cmake -DCTEST=... -DBUILD_DIR=... -DPINNED=ON|OFF -P this file.

# The commands of the case tests ("hazardlab run ..."), one string each,
# as CTest lists them with `env_args` in its environment.
function(case_test_commands out)
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env --unset=HAZARDLAB_RANDOM_SEEDS ${ARGN}
            "${CTEST}" --test-dir "${BUILD_DIR}" --show-only=json-v1
    OUTPUT_VARIABLE json RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "ctest --show-only failed (${status})")
  endif()
  # Each GET parses the whole text it is given: take each test out once and
  # read the small object, or this is quadratic in the size of the listing.
  string(JSON tests GET "${json}" tests)
  string(JSON count LENGTH "${tests}")
  set(commands "")
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON test GET "${tests}" ${i})
    string(JSON argc ERROR_VARIABLE no_command LENGTH "${test}" command)
    if(no_command OR argc LESS 2)
      continue()
    endif()
    string(JSON verb GET "${test}" command 1)
    if(NOT verb STREQUAL "run")
      continue()
    endif()
    string(JSON name GET "${test}" name)
    set(command "${name}:")
    math(EXPR last_arg "${argc} - 1")
    foreach(a RANGE 1 ${last_arg})
      string(JSON arg GET "${test}" command ${a})
      string(APPEND command " ${arg}")
    endforeach()
    list(APPEND commands "${command}")
  endforeach()
  set(${out} "${commands}" PARENT_SCOPE)
endfunction()

function(expect_seeds mode)
  if(mode STREQUAL "pinned")
    case_test_commands(commands)
  else()
    case_test_commands(commands HAZARDLAB_RANDOM_SEEDS=1)
  endif()
  list(LENGTH commands total)
  if(total EQUAL 0)
    message(FATAL_ERROR "no case tests listed")
  endif()
  set(wrong 0)
  foreach(command IN LISTS commands)
    string(REGEX MATCH " --seed=[0-9]+" seed "${command}")
    if((mode STREQUAL "pinned" AND NOT seed) OR (mode STREQUAL "random" AND seed))
      message("${mode} seed expected: ${command}")
      math(EXPR wrong "${wrong} + 1")
    endif()
  endforeach()
  if(wrong GREATER 0)
    message(FATAL_ERROR "${wrong} of ${total} case tests lack a ${mode} seed")
  endif()
  message("${total} case tests, every one with a ${mode} seed")
endfunction()

# A build configured with HAZARDLAB_RANDOM_SEEDS=ON has no pinned seeds to check.
if(PINNED)
  expect_seeds(pinned)
endif()
expect_seeds(random)

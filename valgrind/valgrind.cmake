# The helgrind and drd builds (presets of the same names): native builds
# whose trial children run under `valgrind --tool=helgrind|drd`
# (harness/run/valgrind.cc); sanitizers/sanitizers.cmake makes the tool the
# build's detector. Here: the valgrind program, its options and
# suppressions, and the one compile flag Valgrind needs (included before
# any target exists). valgrind/README.md says why each option exists.
set(HAZARDLAB_VALGRIND_TOOL "" CACHE STRING "Run trials under this Valgrind tool (a native build): empty, helgrind or drd")
set_property(CACHE HAZARDLAB_VALGRIND_TOOL PROPERTY STRINGS "" helgrind drd)
set(HAZARDLAB_VALGRIND "")
set(HAZARDLAB_VALGRIND_OPTIONS_DIR "")
if(NOT HAZARDLAB_VALGRIND_TOOL)
  return()
endif()
if(NOT HAZARDLAB_VALGRIND_TOOL MATCHES "^(helgrind|drd)$")
  message(FATAL_ERROR "HAZARDLAB_VALGRIND_TOOL must be helgrind or drd (got '${HAZARDLAB_VALGRIND_TOOL}')")
endif()
find_program(HAZARDLAB_VALGRIND_PATH NAMES valgrind REQUIRED)
set(HAZARDLAB_VALGRIND "${HAZARDLAB_VALGRIND_PATH}")

# DWARF 4: Valgrind 3.19 cannot read all of the DWARF 5 clang 14 writes by
# default (DW_FORM_rnglistx: "Serious error when reading debug info"), and
# then frames lose their files or get wrong paths: a report must point at
# the case's line.
add_compile_options(-gdwarf-4)

# The commented option files in this folder are the one source. Valgrind
# reads no comments, so the build writes stripped copies to
# <build>/valgrind/, with this folder's path in place of @VALGRIND_SOURCE_DIR@
# (the suppression file); the harness reads them when it starts a trial.
set(HAZARDLAB_VALGRIND_OPTIONS_DIR "${CMAKE_BINARY_DIR}/valgrind")
set(source "${CMAKE_CURRENT_LIST_DIR}/${HAZARDLAB_VALGRIND_TOOL}.options")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
file(STRINGS "${source}" lines REGEX "^[^#]")
string(JOIN "\n" options ${lines})
string(REPLACE "@VALGRIND_SOURCE_DIR@" "${CMAKE_CURRENT_LIST_DIR}" options "${options}")
file(WRITE "${HAZARDLAB_VALGRIND_OPTIONS_DIR}/${HAZARDLAB_VALGRIND_TOOL}.options" "${options}\n")

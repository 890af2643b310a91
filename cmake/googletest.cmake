# GoogleTest from Debian's source package, compiled with this preset's flags:
# a prebuilt libgtest would not be instrumented for TSan/ASan.
set(HAZARDLAB_GOOGLETEST_SOURCE "/usr/src/googletest" CACHE PATH
    "GoogleTest source tree (Debian package: googletest)")
if(NOT EXISTS "${HAZARDLAB_GOOGLETEST_SOURCE}/CMakeLists.txt")
  message(FATAL_ERROR "GoogleTest sources not found at ${HAZARDLAB_GOOGLETEST_SOURCE}; "
                      "run ci/install.sh (Debian package: googletest)")
endif()
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
add_subdirectory("${HAZARDLAB_GOOGLETEST_SOURCE}" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL SYSTEM)
include(GoogleTest)

# A compiler cache shared by the builds of this tree (ccache, Debian package
# `ccache`; ci/install.sh installs it). It lives in build/, so a clean clone
# starts cold, and what it saves is within one tree's life: the native
# builds compile the same files with the same flags, so a second one (or the
# exercise test's copy of the tree) is mostly cache hits.
#
# Paths are hashed relative to HAZARDLAB_COMPILER_CACHE_BASEDIR and the build
# directory is left out of the hash: build/dev and another native build, or a
# copy of the tree below the base directory, then give the same hash for the
# same source. A build without ccache on its PATH compiles as usual.
find_program(HAZARDLAB_CCACHE ccache)
set(HAZARDLAB_COMPILER_CACHE_DIR "${PROJECT_SOURCE_DIR}/build/.compiler-cache" CACHE PATH
    "Where the compiler cache keeps its files")
set(HAZARDLAB_COMPILER_CACHE_BASEDIR "${PROJECT_SOURCE_DIR}" CACHE PATH
    "Paths below this directory are hashed as relative paths")
if(HAZARDLAB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(launcher "${CMAKE_COMMAND}" -E env
      "CCACHE_DIR=${HAZARDLAB_COMPILER_CACHE_DIR}"
      "CCACHE_BASEDIR=${HAZARDLAB_COMPILER_CACHE_BASEDIR}"
      CCACHE_NOHASHDIR=1
      "${HAZARDLAB_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
endif()

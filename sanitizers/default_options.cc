// Default runtime options for binaries started outside CTest (for example
// `build/tsan/hazardlab run ...` typed by hand). They read the same option
// files the test presets use, so a hand-run and a CTest run behave alike.
// An explicit *SAN_OPTIONS environment variable still wins.

#define HAZARDLAB_OPTIONS_FILE(tool) \
  "include_if_exists=" HAZARDLAB_SANITIZER_OPTIONS_DIR "/" tool ".options"

extern "C" {
const char* __tsan_default_options() { return HAZARDLAB_OPTIONS_FILE("tsan"); }
const char* __asan_default_options() { return HAZARDLAB_OPTIONS_FILE("asan"); }
const char* __ubsan_default_options() { return HAZARDLAB_OPTIONS_FILE("ubsan"); }
const char* __lsan_default_options() { return HAZARDLAB_OPTIONS_FILE("lsan"); }
}

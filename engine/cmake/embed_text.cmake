# Writes OUTPUT: a C++ source whose function healthcast::io::FUNCTION() returns the text of INPUT,
# held as a raw string literal. Run at build time (cmake -P) so that the program carries the
# text and the file in the repository stays its one source.
file(READ "${INPUT}" text)
set(delimiter "hc_embed")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter ')${delimiter}\"'")
endif()
get_filename_component(source_name "${INPUT}" NAME)
# file(CONFIGURE) rewrites OUTPUT only when its content changes.
file(CONFIGURE OUTPUT "${OUTPUT}" @ONLY CONTENT [==[
// Generated at build time from @source_name@ by engine/cmake/embed_text.cmake; do not edit.
#include "healthcast/input/schema.h"

namespace healthcast::input {

std::string_view @FUNCTION@() {
  static constexpr char TEXT[] = R"@delimiter@(@text@)@delimiter@";
  return {TEXT, sizeof(TEXT) - 1};
}

}  // namespace healthcast::input
]==])

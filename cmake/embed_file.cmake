# cmake -DINPUT=file -DOUTPUT=file.cpp -DHEADER=ops/x.hpp -DVAR=kName -P embed_file.cmake
# Writes OUTPUT: a C++ source defining `const std::string_view agp::ops::VAR` with INPUT's bytes
# (declared extern in HEADER), so a page ships inside the binary and nothing is read at run time.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${name} by cmake/embed_file.cmake at build time: do not edit.\n"
  "#include \"${HEADER}\"\n"
  "namespace agp::ops {\n"
  "namespace {\nconst unsigned char kBytes[] = {${bytes}};\n}\n"
  "const std::string_view ${VAR}(reinterpret_cast<const char*>(kBytes), sizeof kBytes);\n"
  "}  // namespace agp::ops\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

// Boost.JSON compiled into the proxy (see AGP_BOOST_JSON_HEADER_ONLY in CMakeLists.txt): parsing
// and serialising are most of a large request's translation, and Debian's shared libboost_json is
// built at -O2 with every call through the PLT.
#include <boost/json/src.hpp>

{
  "targets": [
    {
      "target_name": "parley_core",
      "sources": ["<!@(node scripts/native-sources.mjs)"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/src",
        "native/generated"
      ],
      "defines": ["NAPI_VERSION=9", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++1y"],
      "cflags_cc": ["-std=c++20", "-O2", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden"],
      "ldflags": ["-pthread"]
    }
  ]
}

package server

// Compress is the compression middleware, for its benchmark.
var Compress = compress

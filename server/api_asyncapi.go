package server

import (
	_ "embed"
	"net/http"
)

// asyncAPIDocument describes the websocket protocol (SPEC §4) and its
// limits in AsyncAPI 3.0; its event data refer to openapi.json's schemas,
// which it is served beside.
//
//go:embed asyncapi.json
var asyncAPIDocument []byte

func (s *Server) apiAsyncAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(asyncAPIDocument)
}

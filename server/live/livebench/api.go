package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

var apiClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
}

// api calls the JSON API of an instance with a bearer token and decodes
// the answer into out.
func api(ctx context.Context, base, token, method, path string, in, out any, want int) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		e := &apiError{method: method, path: path, status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: data}
		var shape struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &shape) == nil {
			e.code = shape.Error.Code
		}
		return e
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// apiError is an answer other than the one wanted: its status, the API's
// error code (SPEC §8) and Retry-After, which tell a client whether and
// when to send again.
type apiError struct {
	method, path string
	status       int
	code         string
	retryAfter   string
	body         []byte
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %.300s", e.method, e.path, e.status, http.StatusText(e.status), e.body)
}

// createThread opens the thread everyone follows, in the first theme.
func (b *bench) createThread(ctx context.Context) error {
	in := b.instances[0]
	var themes struct {
		Themes []struct {
			ID int64 `json:"id"`
		} `json:"themes"`
	}
	if err := api(ctx, in.url, b.posterToken, http.MethodGet, "/api/v1/themes", nil, &themes, http.StatusOK); err != nil {
		return err
	}
	if len(themes.Themes) == 0 {
		return fmt.Errorf("no theme in a fresh database")
	}
	var th struct {
		ID int64 `json:"id"`
	}
	err := api(ctx, in.url, b.posterToken, http.MethodPost, "/api/v1/threads", map[string]any{
		"theme_id": themes.Themes[0].ID, "kind": "discussion", "attribution": "record",
		"title": "Live benchmark", "body": "Every reply to this thread is delivered live to every reader.",
	}, &th, http.StatusCreated)
	if err != nil {
		return err
	}
	b.threadID = th.ID
	logf("thread %d created", th.ID)
	return nil
}

// replyBody is a realistic reply, a few lines of Markdown.
func replyBody(n int) string {
	return fmt.Sprintf("Reply %d from the benchmark. Our customs office publishes **every fee** online, "+
		"with the legal basis and the date it took effect; traders can check a declaration against it before "+
		"they file. Happy to share the [procedure](https://example.org/fees) with anyone who asks.", n)
}

// createPost posts reply n and returns the new post's id.
func (b *bench) createPost(ctx context.Context, in *instance, n int) (int64, error) {
	var p struct {
		ID int64 `json:"id"`
	}
	path := fmt.Sprintf("/api/v1/threads/%d/posts", b.threadID)
	if err := api(ctx, in.url, b.posterToken, http.MethodPost, path, map[string]string{"body": replyBody(n)}, &p, http.StatusCreated); err != nil {
		return 0, err
	}
	return p.ID, nil
}

package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// Options describe the function to run.
type Options struct {
	Bootstrap string            // path to the executable
	Env       map[string]string // the function's environment
	Name      string            // AWS_LAMBDA_FUNCTION_NAME (default "revoke-local")
	Timeout   time.Duration     // per invocation (default 30 s)
	MemoryMB  int               // reported to the function (default 128)
	Output    io.Writer         // the function's stdout and stderr (default: kept in memory)
}

// Result is one invocation's outcome.
type Result struct {
	RequestID string
	Payload   json.RawMessage // the function's response, if it succeeded
	Error     *FunctionError  // the function's error, if it failed
	Duration  time.Duration
}

// FunctionError is what a runtime posts to /error or /init/error.
type FunctionError struct {
	Message string   `json:"errorMessage"`
	Type    string   `json:"errorType"`
	Trace   []string `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Session is one running function instance (one "container").
type Session struct {
	opts     Options
	srv      *http.Server
	ln       net.Listener
	cmd      *exec.Cmd
	started  time.Time
	out      *lockedBuffer
	next     chan invocation
	mu       sync.Mutex
	pending  map[string]chan Result
	firstGet chan struct{}
	initDur  time.Duration
	initErr  *FunctionError
	exited   chan error
	seq      int
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	w  io.Writer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	if l.w != nil {
		_, _ = l.w.Write(p)
	}
	return len(p), nil
}

// Start launches the bootstrap and waits until it asks for its first event
// (the end of its init phase) or fails to start.
func Start(ctx context.Context, o Options) (*Session, error) {
	if o.Name == "" {
		o.Name = "revoke-local"
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = 128
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Session{opts: o, ln: ln, out: &lockedBuffer{w: o.Output}, next: make(chan invocation),
		pending: map[string]chan Result{}, firstGet: make(chan struct{}), exited: make(chan error, 1)}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()

	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=" + o.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(o.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + o.Name,
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"_HANDLER=bootstrap",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
	}
	for k, v := range o.Env {
		env = append(env, k+"="+v)
	}
	s.cmd = exec.Command(o.Bootstrap)
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.mu.Lock() // serve reads started
	s.started = time.Now()
	s.mu.Unlock()
	if err := s.cmd.Start(); err != nil {
		s.srv.Close()
		return nil, fmt.Errorf("runtimeapi: start %s: %w", o.Bootstrap, err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	select {
	case <-s.firstGet:
		return s, nil
	case err := <-s.exited:
		s.srv.Close()
		s.mu.Lock()
		initErr := s.initErr
		s.mu.Unlock()
		if initErr != nil {
			return nil, fmt.Errorf("runtimeapi: init failed: %w", initErr)
		}
		return nil, fmt.Errorf("runtimeapi: bootstrap exited during init (%v): %s", err, s.Output())
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	case <-time.After(10 * time.Second):
		s.Close()
		return nil, errors.New("runtimeapi: bootstrap did not ask for an event within 10 s")
	}
}

// InitDuration is the time from process start to the first /next request.
func (s *Session) InitDuration() time.Duration { return s.initDur }

// Output is everything the function printed so far.
func (s *Session) Output() string {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return s.out.b.String()
}

// Invoke sends one event and waits for the function's answer.
func (s *Session) Invoke(ctx context.Context, payload []byte) (Result, error) {
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("%08x-0000-4000-8000-%012d", time.Now().UnixNano()&0xffffffff, s.seq)
	done := make(chan Result, 1)
	s.pending[id] = done
	s.mu.Unlock()
	inv := invocation{id: id, payload: payload, deadline: time.Now().Add(s.opts.Timeout)}
	start := time.Now()
	select {
	case s.next <- inv:
	case err := <-s.exited:
		s.exited <- err
		return Result{}, fmt.Errorf("runtimeapi: function exited: %v", err)
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	timer := time.NewTimer(s.opts.Timeout + time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		r.Duration = time.Since(start)
		return r, nil
	case err := <-s.exited:
		s.exited <- err
		return Result{RequestID: id, Error: &FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprint(err)}}, nil
	case <-timer.C:
		return Result{RequestID: id, Error: &FunctionError{Type: "Sandbox.Timedout", Message: "Task timed out"}}, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Close stops the function and the server.
func (s *Session) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	_ = s.srv.Close()
}

func (s *Session) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		s.mu.Lock()
		if s.initDur == 0 {
			s.initDur = time.Since(s.started)
			close(s.firstGet)
		}
		s.mu.Unlock()
		var inv invocation
		select {
		case inv = <-s.next:
		case <-r.Context().Done():
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:"+s.opts.Name)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case r.Method == http.MethodPost && path == "init/error":
		fe := readError(r)
		s.mu.Lock()
		s.initErr = fe
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, _ := strings.Cut(rest, "/")
		s.mu.Lock()
		done, ok := s.pending[id]
		delete(s.pending, id)
		s.mu.Unlock()
		if !ok {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		res := Result{RequestID: id}
		switch kind {
		case "response":
			body, _ := io.ReadAll(io.LimitReader(r.Body, 6<<20))
			res.Payload = body
		case "error":
			res.Error = readError(r)
		default:
			http.NotFound(w, r)
			return
		}
		done <- res
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func readError(r *http.Request) *FunctionError {
	var fe FunctionError
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(body, &fe) != nil {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	return &fe
}

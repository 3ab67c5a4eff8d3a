package pgtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// Server is a private PostgreSQL server that a test starts, stops and
// restarts, for faults no shared server may suffer.
type Server struct {
	URL  string // admin connection URL
	bin  string
	dir  string
	port int
	user string // the user to run as when the test runs as root
}

// BinEnvVar names the variable that holds PostgreSQL's bin folder;
// without it, the newest under /usr/lib/postgresql is used.
const BinEnvVar = "ORCHESTRATUM_TEST_PG_BIN"

// StartServer initialises and starts a server on 127.0.0.1 with its data
// in a temporary folder, and stops and removes it when t ends. It skips t
// (fails it under CI=true) when PostgreSQL is not installed.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{bin: findBin()}
	if s.bin == "" {
		need(t, "PostgreSQL's programs (initdb, pg_ctl) were not found under /usr/lib/postgresql; "+
			"install Debian's postgresql package or set "+BinEnvVar)
	}
	dir, err := os.MkdirTemp("", "orchestratum-pgserver-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() {
		s.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("pgtest: running as root needs a postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		if err := os.Chown(dir, uid, -1); err != nil {
			t.Fatal(err)
		}
		s.user = "postgres"
	}
	if out, err := s.command("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	for attempt := 0; attempt < 5; attempt++ {
		s.port = 20000 + rand.IntN(20000)
		if err := s.Start(); err == nil {
			s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
			return s
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
	t.Fatalf("pgtest: could not start PostgreSQL; its log:\n%s", log)
	return nil
}

// Start starts the server and waits until it accepts connections.
func (s *Server) Start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "+
		"-c max_connections=200", s.port, s.dir)
	return s.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(s.dir, "server.log"), "-o", opts)
}

// Stop stops the server, disconnecting every client (pg_ctl's fast mode).
func (s *Server) Stop() error { return s.pgctl("stop", "-w", "-m", "fast") }

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) pgctl(args ...string) error {
	out, err := s.command("pg_ctl", append([]string{"-D", s.data()}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w\n%s", args[0], err, out)
	}
	return nil
}

func (s *Server) command(prog string, args ...string) *exec.Cmd {
	path := filepath.Join(s.bin, prog)
	if s.user != "" {
		return exec.Command("runuser", append([]string{"-u", s.user, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func findBin() string {
	if bin := os.Getenv(BinEnvVar); bin != "" {
		return bin
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	if len(dirs) == 0 {
		return ""
	}
	return dirs[len(dirs)-1]
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// need skips t with msg, or fails it under CI=true.
func need(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("required under CI=true: " + msg)
	}
	t.Skip(msg)
}

// sleepBetween is how long Restart keeps the server down.
const sleepBetween = 300 * time.Millisecond

// Restart stops the server, keeps it down a moment, and starts it again.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	time.Sleep(sleepBetween)
	return s.Start()
}

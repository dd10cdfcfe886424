package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	eiscopev1 "eiscope.io/clients/go/gen/eiscope/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// The tests run against the real server jar ($EISCOPE_JAR, default the repository's build),
// started once on 127.0.0.1 with a free port (--port 0) and a fresh temporary data directory,
// and stopped with SIGTERM at the end. A missing jar or a server that does not start fails
// every test; nothing is skipped.

const startTimeout = 60 * time.Second

var (
	address string // host:port of the live server
	ready   = regexp.MustCompile(`eiscope listening on http://(127\.0\.0\.1:\d+)`)
)

func TestMain(m *testing.M) {
	stop, err := startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "eiscope server:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- the server's output:\n%s", logged())
	}
	os.Exit(code)
}

// serverLog is everything the server printed (stdout and stderr), shown when a test fails.
var serverLog struct {
	sync.Mutex
	strings.Builder
}

func logged() string {
	serverLog.Lock()
	defer serverLog.Unlock()
	return serverLog.String()
}

// startServer spawns `java -jar <jar>` ($EISCOPE_JAVA, or java) --host 127.0.0.1 --port 0 --data-dir <temp>`, sets
// address from the line it prints when listening, and returns the function that stops it.
func startServer() (func(), error) {
	jar := os.Getenv("EISCOPE_JAR")
	if jar == "" {
		jar = filepath.Join("..", "..", "server", "app", "target", "eiscope-server.jar")
	}
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("jar not found at %s: build the server first (./eiscope build) or set EISCOPE_JAR", jar)
	}
	dataDir, err := os.MkdirTemp("", "eiscope-go-")
	if err != nil {
		return nil, err
	}
	output, sink, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	java := os.Getenv("EISCOPE_JAVA") // the JDK ./eiscope runs the server on
	if java == "" {
		java = "java"
	}
	cmd := exec.Command(java, "-jar", jar, "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir)
	cmd.Stdout, cmd.Stderr = sink, sink
	err = cmd.Start()
	sink.Close() // the child holds its own copy
	if err != nil {
		os.RemoveAll(dataDir)
		return nil, err
	}
	found, exited := make(chan string, 1), make(chan struct{})
	go func() { // drains the output to its end, so the server never blocks on it
		lines, listening := bufio.NewScanner(output), false
		for lines.Scan() {
			serverLog.Lock()
			serverLog.WriteString(lines.Text() + "\n")
			serverLog.Unlock()
			if m := ready.FindStringSubmatch(lines.Text()); m != nil && !listening {
				found <- m[1]
				listening = true
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		os.RemoveAll(dataDir)
	}
	select {
	case address = <-found:
		return stop, nil
	case <-exited:
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("exited before listening:\n%s", logged())
	case <-time.After(startTimeout):
		stop()
		return nil, fmt.Errorf("not listening after %s:\n%s", startTimeout, logged())
	}
}

func dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestTourChecksHealthListsTheCatalogueCreatesStepsAndWatchesARun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out strings.Builder
	const steps = 20
	r, err := Tour(ctx, dial(t), steps, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	if r.Health != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health %s, want SERVING", r.Health)
	}
	if !slices.Contains(r.Models, "mlp") || !slices.Contains(r.Models, "dann") || r.Presets == 0 {
		t.Errorf("catalogue: models %v, %d presets; want mlp and dann among them, and presets", r.Models, r.Presets)
	}
	if r.StartState != eiscopev1.SimulationState_SIMULATION_STATE_PAUSED || r.StepFrom != 0 {
		t.Errorf("a new run is %s and stepped from %d; want PAUSED, from 0", r.StartState, r.StepFrom)
	}
	want := make([]int64, steps)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(r.LossSteps, want) {
		t.Errorf("loss frames at steps %v; want each of 1..%d once, in order", r.LossSteps, steps)
	}
	if r.PausedAt != steps || r.FinalState != eiscopev1.SimulationState_SIMULATION_STATE_PAUSED || r.FinalStep != steps {
		t.Errorf("paused event at %d, then %s at step %d; want PAUSED at %d", r.PausedAt, r.FinalState, r.FinalStep, steps)
	}
	if !(r.LastLoss > 0 && r.LastLoss < 10) {
		t.Errorf("last loss %v; want a cross-entropy between 0 and 10", r.LastLoss)
	}
}

func TestAnUnknownRunIsNotFoundAndABadStepIsAnInvalidArgument(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := eiscopev1.NewSimulationServiceClient(dial(t))
	_, err := api.GetSimulation(ctx, &eiscopev1.GetSimulationRequest{Id: "no-such-run"})
	if status.Code(err) != codes.NotFound || !strings.Contains(status.Convert(err).Message(), "no-such-run") {
		t.Errorf("GetSimulation of an unknown id: %v; want NOT_FOUND naming it", err)
	}
	created, err := api.CreateSimulation(ctx, &eiscopev1.CreateSimulationRequest{Spec: mlpSpec()})
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetSimulation().GetId()
	_, err = api.Control(ctx, &eiscopev1.ControlRequest{Id: id, Action: eiscopev1.ControlAction_CONTROL_ACTION_STEP, Steps: 0})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("STEP 0: %v; want INVALID_ARGUMENT", err)
	}
	if _, err := api.DeleteSimulation(ctx, &eiscopev1.DeleteSimulationRequest{Id: id}); err != nil {
		t.Errorf("delete: %v", err)
	}
}

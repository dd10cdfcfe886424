package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	eiscopev1 "eiscope.io/clients/go/gen/eiscope/v1"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Report is what Tour saw on its way.
type Report struct {
	Health     healthpb.HealthCheckResponse_ServingStatus
	Models     []string // kinds, in the catalogue's order
	Presets    int
	ID         string
	StartState eiscopev1.SimulationState // right after CreateSimulation: PAUSED at step 0
	StepFrom   int64                     // the step at which STEP took effect
	LossSteps  []int64                   // the steps of the loss frames watched, in order
	LastLoss   float64
	PausedAt   int64 // the step of the PAUSED state event that ended the watch
	FinalState eiscopev1.SimulationState
	FinalStep  int64
}

// Tour checks the server's health, lists the catalogue, creates a small MLP on Fashion-MNIST,
// steps it `steps` times and watches its loss from step 0 (the record, then live frames) until
// the run pauses at the last step, printing what it sees to out. ctx bounds the whole tour.
func Tour(ctx context.Context, conn grpc.ClientConnInterface, steps int64, out io.Writer) (*Report, error) {
	r := &Report{}
	health, err := healthpb.NewHealthClient(conn).Check(ctx,
		&healthpb.HealthCheckRequest{Service: eiscopev1.SimulationService_ServiceDesc.ServiceName})
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	r.Health = health.GetStatus()
	fmt.Fprintln(out, "health:", r.Health)

	api := eiscopev1.NewSimulationServiceClient(conn)
	catalogue, err := api.GetCatalogue(ctx, &eiscopev1.GetCatalogueRequest{})
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	for _, m := range catalogue.GetCatalogue().GetModels() {
		r.Models = append(r.Models, m.GetKind())
	}
	r.Presets = len(catalogue.GetCatalogue().GetPresets())
	fmt.Fprintf(out, "catalogue: %d models %v, %d presets\n", len(r.Models), r.Models, r.Presets)

	created, err := api.CreateSimulation(ctx, &eiscopev1.CreateSimulationRequest{Spec: mlpSpec()})
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	sim := created.GetSimulation()
	r.ID, r.StartState = sim.GetId(), sim.GetState()
	fmt.Fprintf(out, "created %s: %s at step %d\n", r.ID, r.StartState, sim.GetStep())

	control, err := api.Control(ctx, &eiscopev1.ControlRequest{
		Id: r.ID, Action: eiscopev1.ControlAction_CONTROL_ACTION_STEP, Steps: steps})
	if err != nil {
		return nil, fmt.Errorf("step: %w", err)
	}
	r.StepFrom = control.GetEffectiveStep()
	fmt.Fprintf(out, "stepping %d from step %d\n", steps, r.StepFrom)

	if err := watchUntilPaused(ctx, api, r, r.StepFrom+steps, out); err != nil {
		return nil, err
	}
	got, err := api.GetSimulation(ctx, &eiscopev1.GetSimulationRequest{Id: r.ID})
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	r.FinalState, r.FinalStep = got.GetSimulation().GetState(), got.GetSimulation().GetStep()
	fmt.Fprintf(out, "%s: %s at step %d\n", r.ID, r.FinalState, r.FinalStep)
	return r, nil
}

// watchUntilPaused reads the run's loss and state from step 0 (every recorded frame, then live
// ones, with no gap and no duplicate) until it has the loss of step `last` and the PAUSED event
// there, then ends the stream by cancelling its context.
func watchUntilPaused(ctx context.Context, api eiscopev1.SimulationServiceClient, r *Report, last int64, out io.Writer) error {
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	from := int64(0)
	stream, err := api.Watch(streamCtx, &eiscopev1.WatchRequest{
		Id: r.ID, Observables: []string{"loss", "state"}, FromStep: &from})
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	haveLoss, paused := false, false
	for !(haveLoss && paused) {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("watch ended before step %d (losses up to %v)", last, r.LossSteps)
		}
		if err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		for _, f := range msg.GetFrames() {
			switch {
			case f.GetObservable() == "loss" && f.GetScalar() != nil:
				r.LossSteps = append(r.LossSteps, f.GetStep())
				r.LastLoss = f.GetScalar().GetValue()
				haveLoss = f.GetStep() >= last
				if f.GetStep()%10 == 0 || haveLoss {
					fmt.Fprintf(out, "step %d loss %.4f\n", f.GetStep(), r.LastLoss)
				}
			case f.GetEvent() != nil && f.GetEvent().GetState() == eiscopev1.SimulationState_SIMULATION_STATE_PAUSED && f.GetStep() >= last:
				r.PausedAt, paused = f.GetStep(), true
			}
		}
	}
	return nil
}

// mlpSpec is a 784-32-10 MLP trained by SGD on Fashion-MNIST, seed 1: components by catalogue
// kind, their parameters as typed Values.
func mlpSpec() *eiscopev1.SimulationSpec {
	return &eiscopev1.SimulationSpec{
		Name: "go-tour",
		Seed: 1,
		Model: &eiscopev1.ComponentSpec{Kind: "mlp", Params: map[string]*eiscopev1.Value{
			"hidden": {Kind: &eiscopev1.Value_Ints{Ints: &eiscopev1.IntList{Values: []int64{32}}}},
		}},
		LearningRule: &eiscopev1.ComponentSpec{Kind: "sgd", Params: map[string]*eiscopev1.Value{
			"learning_rate": {Kind: &eiscopev1.Value_Number{Number: 0.05}},
		}},
		Task:      &eiscopev1.ComponentSpec{Kind: "fashion_mnist"},
		BatchSize: 32,
	}
}

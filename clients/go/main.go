// Command eiscope-go-tour is a small eiscope client in Go, on stubs generated from
// proto/eiscope/v1 with protoc, protoc-gen-go and protoc-gen-go-grpc (see generate.sh): it
// checks the server's health, lists the catalogue, creates a run, steps it and watches it.
//
//	./generate.sh && go run . -addr 127.0.0.1:7070 -steps 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7070", "the server's host:port (plaintext gRPC)")
	steps := flag.Int64("steps", 50, "training steps to run")
	timeout := flag.Duration("timeout", time.Minute, "deadline of the whole tour")
	flag.Parse()

	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if _, err := Tour(ctx, conn, *steps, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "eiscope-go-tour:", err)
		os.Exit(1)
	}
}

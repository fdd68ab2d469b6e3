// Command xdsprobe is the grpc-go test client of the gateway's xDS server: grpc-go's own xDS resolver and
// balancers, configured by the bootstrap file that GRPC_XDS_BOOTSTRAP names (as an application is), calling
// xds:///<target> the way the Java tests' ProxylessClient does.
//
// It dials the target given as its argument and then reads commands from stdin, one per line, answering each with
// one JSON line on stdout:
//
//	call <n> [<header> <value>]   n unary calls of grpc.health.v1.Health/Check, each with a 5 s deadline; the
//	                              answer counts the backends that answered (their "backend" response header) and
//	                              the status codes of the calls that failed
//	quit
//
// The Go module exists for the tests only (src/test/grpc-go); the product stays Java.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	_ "google.golang.org/grpc/xds" // registers the xds:/// resolver and the xDS balancers
	"google.golang.org/grpc/xds/bootstrap"
)

type answer struct {
	Backends  map[string]int `json:"backends"`
	Failures  map[string]int `json:"failures"`
	LastError string         `json:"lastError,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: xdsprobe <target>   (commands on stdin: call <n> [<header> <value>], quit)")
		os.Exit(2)
	}
	bootstrap.RegisterChannelCredentials(bearerOverPlaintext{})
	conn, err := grpc.NewClient("xds:///"+os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "quit":
			return
		case "call":
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "bad count:", fields[1])
				os.Exit(2)
			}
			var extra []string
			if len(fields) == 4 {
				extra = []string{fields[2], fields[3]}
			}
			if err := out.Encode(calls(health, n, extra)); err != nil {
				os.Exit(1)
			}
		default:
			fmt.Fprintln(os.Stderr, "unknown command:", fields[0])
			os.Exit(2)
		}
	}
}

func calls(health healthpb.HealthClient, n int, header []string) answer {
	result := answer{Backends: map[string]int{}, Failures: map[string]int{}}
	for i := 0; i < n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if header != nil {
			ctx = metadata.AppendToOutgoingContext(ctx, header[0], header[1])
		}
		var headers metadata.MD
		_, err := health.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Header(&headers))
		cancel()
		if err != nil {
			result.Failures[status.Code(err).String()]++
			result.LastError = err.Error()
			continue
		}
		backend := "unknown"
		if values := headers.Get("backend"); len(values) > 0 {
			backend = values[0]
		}
		result.Backends[backend]++
	}
	return result
}

// bearerOverPlaintext is channel credentials for the xDS server given in the bootstrap file as
// {"type": "bearer_over_plaintext", "config": {"token_file": "..."}}: no TLS, and the token file's content as
// "authorization: Bearer" on the xDS stream. grpc-go's own bootstrap call credentials (jwt_token_file, behind
// GRPC_EXPERIMENTAL_XDS_BOOTSTRAP_CALL_CREDS) demand TLS, which this xDS port does not offer; an application
// registers a type like this one to present its ServiceAccount token in plain text.
type bearerOverPlaintext struct{}

func (bearerOverPlaintext) Name() string { return "bearer_over_plaintext" }

func (bearerOverPlaintext) Build(config json.RawMessage) (credentials.Bundle, func(), error) {
	var settings struct {
		TokenFile string `json:"token_file"`
	}
	if err := json.Unmarshal(config, &settings); err != nil || settings.TokenFile == "" {
		return nil, nil, fmt.Errorf("bearer_over_plaintext needs {\"token_file\": \"...\"}: %v", err)
	}
	return bundle{tokenFile: settings.TokenFile}, func() {}, nil
}

type bundle struct {
	tokenFile string
}

func (b bundle) TransportCredentials() credentials.TransportCredentials { return insecure.NewCredentials() }

func (b bundle) PerRPCCredentials() credentials.PerRPCCredentials { return tokenFromFile(b) }

func (b bundle) NewWithMode(string) (credentials.Bundle, error) { return b, nil }

type tokenFromFile bundle

// GetRequestMetadata reads the file on every stream, as a projected ServiceAccount token is rotated in place.
func (t tokenFromFile) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	token, err := os.ReadFile(t.tokenFile)
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + strings.TrimSpace(string(token))}, nil
}

func (tokenFromFile) RequireTransportSecurity() bool { return false }

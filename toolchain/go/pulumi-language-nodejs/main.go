// Command pulumi-language-nodejs is this project's Node.js language host for the Pulumi engine, standing in
// for the upstream one (whose Go module the local proxy does not serve). Programs run under @pulumi/pulumi's
// own cmd/run launcher and policy packs under cmd/run-policy-pack, both resolved from the project.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped at build time: -ldflags "-X main.version=v3.248.0".
var version = "dev"

// The engine starts us as `pulumi-language-nodejs [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDR`
// and reads the port we serve on from the first line of our stdout.
func main() {
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, forwarded to the Node.js runtime")
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.Parse() // -logtostderr and -v are glog's flags (registered by the logging package)
	if *showVersion {
		fmt.Println(version)
		return
	}
	logging.InitLogging(false, 0, false)

	cancelled, cancel := context.WithCancel(context.Background())
	h := &host{engine: flag.Arg(0), tracing: *tracing, cancelled: cancelled, cancel: cancel}

	// On SIGINT from the engine, or once the health check finds the engine gone: interrupt any node
	// child and stop serving.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if h.engine != "" {
		if err := rpcutil.Healthcheck(ctx, h.engine, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start engine health check: %w", err))
		}
	}
	shutdown := make(chan bool)
	go func() { <-ctx.Done(); h.cancel(); close(shutdown) }()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{ // listens on 127.0.0.1
		Cancel: shutdown,
		Init:   func(srv *grpc.Server) error { pulumirpc.RegisterLanguageRuntimeServer(srv, h); return nil },
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped serving: %w", err))
	}
}

// host implements pulumirpc.LanguageRuntimeServer. Methods not defined here answer Unimplemented:
// code generation, packing, templates, and GetRequiredPlugins, which the engine only falls back to
// when GetRequiredPackages is unimplemented.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engine  string // engine gRPC address: our positional argument, or Handshake's when attached
	tracing string

	cancelled context.Context // done once the engine calls Cancel; interrupts running node processes
	cancel    context.CancelFunc
}

// Handshake is only sent when the engine attaches to a running host (PULUMI_DEBUG_LANGUAGES).
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engine = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// cmd/run exits with this code once it has already shown the user an actionable error.
const exitAfterReportedError = 32

// Run executes the program with @pulumi/pulumi/cmd/run, which connects to the monitor and engine
// itself. (The upstream host also proxies the monitor and serves "sync invoke" pipes; the 3.248 SDK
// no longer reads them, so node gets the engine's monitor address directly.)
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	fail := func(err error) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	info := req.GetInfo()
	opts, err := parseOptions(info.GetOptions())
	if err != nil {
		return fail(err)
	}
	runJS, err := resolveModule(ctx, info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run")
	if err != nil {
		return fail(err)
	}

	args := append(slices.Clone(opts.nodeargs), runJS)
	for _, f := range [][2]string{
		{"monitor", req.GetMonitorAddress()},
		{"engine", h.engine},
		{"organization", req.GetOrganization()},
		{"project", req.GetProject()},
		{"stack", req.GetStack()},
		{"root-directory", info.GetRootDirectory()},
		{"pwd", info.GetProgramDirectory()},
		{"parallel", strconv.Itoa(int(req.GetParallel()))},
		{"tracing", h.tracing},
	} {
		if f[1] != "" {
			args = append(args, "--"+f[0], f[1])
		}
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(append(args, info.GetEntryPoint()), req.GetArgs()...)

	// The SDK reads config keys in "<namespace>:<name>" form, as the engine sends them.
	env := append(os.Environ(),
		"PULUMI_CONFIG="+jsonString(req.GetConfig(), "{}"),
		"PULUMI_CONFIG_SECRET_KEYS="+jsonString(req.GetConfigSecretKeys(), "[]"))
	if opts.typescript { // cmd/run registers ts-node (the project's, else its vendored one)
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := h.node(ctx, info.GetProgramDirectory(), env, args)
	// Copy through pipes rather than handing node our own stdout/stderr: node may switch the file
	// descriptors it is given to non-blocking mode, which would break our writes to the engine.
	cmd.Stdout, cmd.Stderr = struct{ io.Writer }{os.Stdout}, struct{ io.Writer }{os.Stderr}
	var exit *exec.ExitError
	switch err := cmd.Run(); {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterReportedError:
		return &pulumirpc.RunResponse{Bail: true}, nil // the error is already on screen
	case errors.As(err, &exit):
		return fail(fmt.Errorf("Program exited with non-zero exit code: %d", exit.ExitCode()))
	default:
		return fail(fmt.Errorf("could not run node: %w", err))
	}
}

// RunPlugin runs a Node.js policy pack. The engine starts policy packs of a runtime it has a language
// host for through this call, streams its output, and reads the analyzer's port from its stdout.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, srv pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		return status.Errorf(codes.Unimplemented, "only policy packs can be run, not %s plugins", req.GetKind())
	}
	ctx := srv.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(srv, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory() // the policy pack's own directory
	opts, err := parseOptions(req.GetInfo().GetOptions())
	if err != nil {
		return err
	}
	runJS, err := resolveModule(ctx, dir, "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return err
	}
	// run-policy-pack takes `<engine-address> <program>`; the engine's args end with its address
	// (after any --tracing/-v flags). It always loads TypeScript via the pack's tsconfig.json.
	args := append(append(slices.Clone(opts.nodeargs), runJS), req.GetArgs()...)
	args = append(args, dir)

	// @pulumi/policy packs learn the stack from environment variables, not from the ConfigureStack RPC.
	// The SDK's PolicyProxy therefore answers Handshake and ConfigureStack itself (writing its own port to
	// our stdout for the engine), then relays every other Analyzer call to the pack once it is up.
	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("starting policy proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("waiting for stack configuration: %w", err)
	}
	env := req.GetEnv()
	if stack != nil { // nil when the engine only inspects the pack (e.g. `pulumi policy publish`)
		env = append(env,
			"PULUMI_NODEJS_ORGANIZATION="+stack.GetOrganization(),
			"PULUMI_NODEJS_PROJECT="+stack.GetProject(),
			"PULUMI_NODEJS_STACK="+stack.GetStack(),
			"PULUMI_NODEJS_DRY_RUN="+strconv.FormatBool(stack.GetDryRun()),
			"PULUMI_CONFIG="+jsonString(stack.GetConfig(), "{}"),
			"PULUMI_CONFIG_SECRET_KEYS="+jsonString(stack.GetConfigSecretKeys(), "[]"))
	}

	cmd := h.node(ctx, dir, env, args)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not run node: %w", err)
	}
	// Attach reads the pack's port from its stdout, connects, and returns when node exits.
	if err := proxy.Attach(ctx, cmd); err != nil {
		return fmt.Errorf("policy pack %s: %w", dir, err)
	}
	return closer.Close()
}

// node prepares `node args...` in dir. It is interrupted, and killed 5s later, when the RPC ends
// or the engine calls Cancel.
func (h *host) node(ctx context.Context, dir string, env, args []string) *exec.Cmd {
	ctx, stop := context.WithCancel(ctx)
	context.AfterFunc(h.cancelled, stop)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// resolveModule locates mod exactly as the program will: with Node's own resolution from dir.
func resolveModule(ctx context.Context, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, "node", "-e", "console.log(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find %s from %s; are its npm dependencies installed (npm ci)? %w", mod, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// nodeOptions are the Pulumi.yaml `runtime.options` this host understands (packagemanager is always npm).
type nodeOptions struct {
	typescript bool     // run .ts sources through ts-node (default true)
	tsconfig   string   // tsconfig path for ts-node, relative to the program directory
	nodeargs   []string // extra arguments for node itself
}

func parseOptions(s *structpb.Struct) (nodeOptions, error) {
	m := s.AsMap()
	opts, nodeargs := nodeOptions{typescript: true}, ""
	if err := errors.Join(option(m, "typescript", &opts.typescript), option(m, "tsconfig", &opts.tsconfig),
		option(m, "nodeargs", &nodeargs)); err != nil {
		return opts, err
	}
	var err error
	opts.nodeargs, err = shlex.Split(nodeargs)
	return opts, err
}

func option[T any](m map[string]any, key string, dst *T) error {
	v, ok := m[key]
	if !ok {
		return nil
	}
	if *dst, ok = v.(T); !ok {
		return fmt.Errorf("runtime option %s must be a %T, got %v", key, *dst, v)
	}
	return nil
}

// jsonString encodes v (strings only, so encoding cannot fail), or returns empty when v has no entries.
func jsonString[T map[string]string | []string](v T, empty string) string {
	if len(v) == 0 {
		return empty
	}
	b, _ := json.Marshal(v)
	return string(b)
}

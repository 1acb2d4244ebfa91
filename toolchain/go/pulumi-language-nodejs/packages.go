package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetRequiredPackages reports each installed npm package whose package.json declares a resource plugin,
// e.g. @pulumi/kubernetes 4.25.0's `"pulumi": {"resource": true, "name": "kubernetes", "version": "4.25.0"}`.
// The engine installs these before running and takes them as the default provider versions.
func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	seen := map[string]bool{} // real paths, so symlinked trees are read once
	var walk func(nodeModules string)
	walk = func(nodeModules string) {
		entries, _ := os.ReadDir(nodeModules) // a missing node_modules just has no packages
		for _, e := range entries {
			dir, err := filepath.EvalSymlinks(filepath.Join(nodeModules, e.Name()))
			if err != nil || seen[dir] {
				continue
			}
			seen[dir] = true
			if strings.HasPrefix(e.Name(), "@") { // an npm scope: its entries are the packages
				walk(dir)
				continue
			}
			if dep := pluginPackage(filepath.Join(dir, "package.json")); dep != nil {
				resp.Packages = append(resp.Packages, dep)
			}
			walk(filepath.Join(dir, "node_modules"))
		}
	}
	walk(filepath.Join(req.GetInfo().GetProgramDirectory(), "node_modules"))
	return resp, nil
}

// pluginPackage returns the resource plugin a package.json declares, or nil.
func pluginPackage(packageJSON string) *pulumirpc.PackageDependency {
	b, err := os.ReadFile(packageJSON)
	if err != nil {
		return nil
	}
	var pkg struct {
		Name    string                  `json:"name"`
		Version string                  `json:"version"`
		Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
	}
	if json.Unmarshal(b, &pkg) != nil || !pkg.Pulumi.Resource {
		return nil
	}
	name, ok := pkg.Pulumi.Name, pkg.Pulumi.Name != ""
	if !ok { // without an explicit name, only @pulumi/<name> implies the plugin's name
		name, ok = strings.CutPrefix(pkg.Name, "@pulumi/")
	}
	if !ok {
		return nil
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: cmp.Or(pkg.Pulumi.Version, pkg.Version),
		Server:  pkg.Pulumi.Server,
	}
	if p := pkg.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep
}

// GetProgramDependencies lists the installed packages, for `pulumi about`, from package-lock.json.
func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	pm, err := npm.ResolvePackageManager(npm.NpmPackageManager, dir)
	if err != nil {
		return nil, err
	}
	pkgs, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("listing npm packages in %s: %w", dir, err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range pkgs {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimSpace(string(out)),
		Metadata:   map[string]string{"packagemanager": "npm"},
	}, nil
}

// InstallDependencies runs `npm ci` (`npm install` without a lockfile) if node_modules is missing.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(srv, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		fmt.Fprintf(stdout, "%s/node_modules exists, nothing to install\n", dir)
		return closer.Close()
	}
	verb := "install"
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
		verb = "ci"
	}
	fmt.Fprintf(stdout, "$ npm %s (in %s)\n", verb, dir)
	cmd := exec.CommandContext(srv.Context(), "npm", verb)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm %s in %s: %w", verb, dir, err)
	}
	return closer.Close()
}

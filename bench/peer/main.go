// pbo-peer: the benchmarks' Go yardstick (bench/README.md). The same children as pekko-bootstrap-operator,
// reconciled by controller-runtime; never part of the product, its tests or the chart.
//
//	pbo-peer [--namespaces a,b] [--workers 16] [--health-probe-bind-address 127.0.0.1:8081] [--kubeconfig F]
//	pbo-peer render < {"items": [ClusterBootstrap...]}     prints the rendered children as JSON (the bench
//	                                                        compares them with operator/render's)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "render" {
		if err := render(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var namespaces, healthAddr, metricsAddr string
	var workers int
	flag.StringVar(&namespaces, "namespaces", "", "comma list of namespaces to watch; empty: all")
	flag.IntVar(&workers, "workers", 16, "ClusterBootstrap workers (the operator's count)")
	flag.StringVar(&healthAddr, "health-probe-bind-address", "127.0.0.1:8081", "/healthz and /readyz")
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "controller-runtime's metrics; 0 = off")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	if err := run(strings.Split(namespaces, ","), workers, healthAddr, metricsAddr); err != nil {
		ctrl.Log.Error(err, "exiting")
		os.Exit(1)
	}
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = addKnownTypes(s)
	return s
}

func run(namespaces []string, workers int, healthAddr, metricsAddr string) error {
	cacheOpts := cache.Options{}
	for _, ns := range namespaces {
		if ns = strings.TrimSpace(ns); ns != "" {
			if cacheOpts.DefaultNamespaces == nil {
				cacheOpts.DefaultNamespaces = map[string]cache.Config{}
			}
			cacheOpts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 newScheme(),
		Cache:                  cacheOpts,
		HealthProbeBindAddress: healthAddr,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
	})
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	// Informers created before Start, so that /readyz can wait for all of them to sync.
	for _, obj := range []client.Object{&ClusterBootstrap{}, &appsv1.Deployment{}, &corev1.ServiceAccount{}, &rbacv1.Role{}, &rbacv1.RoleBinding{}} {
		if _, err := mgr.GetCache().GetInformer(ctx, obj); err != nil {
			return err
		}
	}
	var synced atomic.Bool
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		synced.Store(mgr.GetCache().WaitForCacheSync(ctx))
		return nil
	})); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("caches", func(*http.Request) error {
		if !synced.Load() {
			return errors.New("caches not synced")
		}
		return nil
	}); err != nil {
		return err
	}
	err = ctrl.NewControllerManagedBy(mgr).
		For(&ClusterBootstrap{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.ServiceAccount{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(&ClusterBootstrapReconciler{Client: mgr.GetClient()})
	if err != nil {
		return err
	}
	toNamespace := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: client.ObjectKey{Name: o.GetNamespace()}}}
	})
	shared := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetName() == RoleName || o.GetName() == RoleBindingName
	})
	err = ctrl.NewControllerManagedBy(mgr).
		Named("namespace-rbac").
		Watches(&ClusterBootstrap{}, toNamespace).
		Watches(&rbacv1.Role{}, toNamespace, builder.WithPredicates(shared)).
		Watches(&rbacv1.RoleBinding{}, toNamespace, builder.WithPredicates(shared)).
		WithOptions(controller.Options{MaxConcurrentReconciles: 2}).
		Complete(&NamespaceRbacReconciler{Client: mgr.GetClient()})
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// render prints {"children": [{"deployment", "serviceAccount"}...], "rbac": {"role", "roleBinding"}} for
// resources of one namespace.
func render() error {
	var in struct {
		Items []ClusterBootstrap `json:"items"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		return fmt.Errorf("render: stdin: %w", err)
	}
	type children struct {
		Deployment     any `json:"deployment"`
		ServiceAccount any `json:"serviceAccount,omitempty"`
	}
	out := struct {
		Children []children     `json:"children"`
		Rbac     map[string]any `json:"rbac,omitempty"`
	}{Children: []children{}}
	var members []*ClusterBootstrap
	for i := range in.Items {
		cb := &in.Items[i]
		if why := Unsupported(cb); why != "" {
			return fmt.Errorf("render: %s: %s", cb.Name, why)
		}
		r := Resolve(cb)
		c := children{Deployment: RenderDeployment(cb, r)}
		if sa := RenderServiceAccount(cb, r); sa != nil {
			c.ServiceAccount = sa
		}
		out.Children = append(out.Children, c)
		members = append(members, cb)
	}
	if len(members) > 0 {
		role, binding := RenderSharedRbac(members[0].Namespace, members)
		out.Rbac = map[string]any{"role": role, "roleBinding": binding}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// The two reconcilers, as a Kubernetes engineer writes them first with controller-runtime:
//   - clusterbootstrap: For(ClusterBootstrap), Owns(Deployment, ServiceAccount); applies the resource's own children
//     with server-side apply (field manager pekko-bootstrap-operator, force) on every reconcile, then writes
//     status (observedGeneration, requiredContactPoints, ResourcesReady) with a merge patch when it differs.
//   - namespace-rbac: keyed by namespace (so two reconciles never race on the shared objects); applies pod-reader and
//     read-pods for every ClusterBootstrap of the namespace, deletes them when none is left.
//
// No status probing: the peer is the yardstick for the control loop only.
package main

import (
	"context"
	"errors"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

var applyOpts = []client.ApplyOption{client.FieldOwner(FieldManager), client.ForceOwnership}

type ClusterBootstrapReconciler struct {
	client.Client
}

func (r *ClusterBootstrapReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx)
	var cb ClusterBootstrap
	if err := r.Get(ctx, req.NamespacedName, &cb); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !cb.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil // the garbage collector removes the children through their owner references
	}
	if why := Unsupported(&cb); why != "" {
		logger.Info("skipped", "reason", why)
		return ctrl.Result{}, nil
	}
	res := Resolve(&cb)
	if res.Paused {
		return ctrl.Result{}, nil
	}
	if err := r.Apply(ctx, RenderDeployment(&cb, res), applyOpts...); err != nil {
		return ctrl.Result{}, err
	}
	if sa := RenderServiceAccount(&cb, res); sa != nil {
		if err := r.Apply(ctx, sa, applyOpts...); err != nil {
			return ctrl.Result{}, err
		}
	}
	orig := cb.DeepCopy()
	before := cb.Status.DeepCopy()
	cb.Status.ObservedGeneration = cb.Generation
	if res.RequiredFixed {
		required := res.RequiredContactPoints
		cb.Status.RequiredContactPoints = &required
	}
	meta.SetStatusCondition(&cb.Status.Conditions, metav1.Condition{
		Type: "ResourcesReady", Status: metav1.ConditionTrue, Reason: "Applied",
		Message: "Deployment and ServiceAccount applied", ObservedGeneration: cb.Generation,
	})
	if !equality.Semantic.DeepEqual(before, &cb.Status) {
		// A merge patch, as the operator writes status (the chart grants patch on clusterbootstraps/status, not update).
		if err := r.Status().Patch(ctx, &cb, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}

type NamespaceRbacReconciler struct {
	client.Client
}

// Reconcile: req.Name is the namespace.
func (r *NamespaceRbacReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ns := req.Name
	var list ClusterBootstrapList
	if err := r.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return ctrl.Result{}, err
	}
	var members []*ClusterBootstrap
	for i := range list.Items {
		cb := &list.Items[i]
		if cb.DeletionTimestamp.IsZero() && Unsupported(cb) == "" {
			members = append(members, cb)
		}
	}
	role, binding := RenderSharedRbac(ns, members)
	if role == nil {
		return ctrl.Result{}, r.deleteOurs(ctx, ns)
	}
	if err := r.Apply(ctx, role, applyOpts...); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.Apply(ctx, binding, applyOpts...); err != nil {
		return ctrl.Result{}, err
	}
	log.FromContext(ctx).V(1).Info("shared RBAC applied", "members", len(members))
	return ctrl.Result{}, nil
}

func (r *NamespaceRbacReconciler) deleteOurs(ctx context.Context, ns string) error {
	var errs []error
	for _, obj := range []client.Object{&rbacv1.Role{}, &rbacv1.RoleBinding{}} {
		name := RoleName
		if _, ok := obj.(*rbacv1.RoleBinding); ok {
			name = RoleBindingName
		}
		if err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, obj); err != nil {
			errs = append(errs, client.IgnoreNotFound(err))
			continue
		}
		if obj.GetLabels()[ManagedByLabel] != FieldManager {
			continue // not ours: left alone
		}
		if err := r.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

import { Suspense, lazy, useEffect, type ReactNode } from 'react';
import { Empty, Loading } from '../components/states';
import { ComparePage } from '../features/tracking/pages/compare-page';
import { ExperimentPage } from '../features/tracking/pages/experiment-page';
import { ExperimentsPage } from '../features/tracking/pages/experiments-page';
import { RunPage } from '../features/tracking/pages/run-page';
import { ModelPage } from '../features/registry/pages/model-page';
import { ModelsPage } from '../features/registry/pages/models-page';
import { VersionPage } from '../features/registry/pages/version-page';
import { link, navigate, useRoute, type Route } from '../lib/router';
import { toggleTheme, useTheme } from '../lib/theme';
import { UserButton } from '../components/user-button';


// Pages of the later capabilities are split into their own chunks, loaded on first visit.
const DeploymentsPage = lazy(() => import('../features/serving/pages/deployments-page').then((m) => ({ default: m.DeploymentsPage })));
const DatasetsPage = lazy(() => import('../features/data/pages/datasets-page').then((m) => ({ default: m.DatasetsPage })));
const DatasetPage = lazy(() => import('../features/data/pages/dataset-page').then((m) => ({ default: m.DatasetPage })));
const DatasetVersionPage = lazy(() => import('../features/data/pages/version-page').then((m) => ({ default: m.DatasetVersionPage })));
const DatasetDiffPage = lazy(() => import('../features/data/pages/diff-page').then((m) => ({ default: m.DatasetDiffPage })));
const PipelinesPage = lazy(() => import('../features/pipelines/pages/pipelines-page').then((m) => ({ default: m.PipelinesPage })));
const PipelinePage = lazy(() => import('../features/pipelines/pages/pipeline-page').then((m) => ({ default: m.PipelinePage })));
const PipelineRunPage = lazy(() => import('../features/pipelines/pages/run-page').then((m) => ({ default: m.PipelineRunPage })));
const LineagePage = lazy(() => import('../features/pipelines/pages/lineage-page').then((m) => ({ default: m.LineagePage })));
const MonitoringPage = lazy(() => import('../features/monitoring/pages/monitoring-page').then((m) => ({ default: m.MonitoringPage })));
const MonitorPage = lazy(() => import('../features/monitoring/pages/monitor-page').then((m) => ({ default: m.MonitorPage })));
const AlertPage = lazy(() => import('../features/monitoring/pages/alert-page').then((m) => ({ default: m.AlertPage })));
const DeploymentPage = lazy(() => import('../features/serving/pages/deployment-page').then((m) => ({ default: m.DeploymentPage })));

function view(route: Route): { section: string; page: ReactNode } {
  const [first, second, third, fourth] = route.segments;
  switch (first) {
    case undefined:
    case 'experiments':
      return { section: 'experiments', page: second ? <ExperimentPage key={second} experimentId={second} /> : <ExperimentsPage /> };
    case 'runs':
      return { section: 'experiments', page: second ? <RunPage key={second} runId={second} /> : <NotFound /> };
    case 'compare':
      return { section: 'experiments', page: <ComparePage /> };
    case 'models':
      if (second && third === 'versions' && fourth) return { section: 'models', page: <VersionPage key={`${second}/${fourth}`} name={second} version={fourth} /> };
      return { section: 'models', page: second && !third ? <ModelPage key={second} name={second} /> : second ? <NotFound /> : <ModelsPage /> };
    case 'deployments':
      if (third) return { section: 'deployments', page: <NotFound /> };
      return { section: 'deployments', page: second ? <DeploymentPage key={second} name={second} /> : <DeploymentsPage /> };
    case 'monitoring':
      if (third) return { section: 'monitoring', page: <NotFound /> };
      return { section: 'monitoring', page: second ? <MonitorPage key={second} deployment={second} /> : <MonitoringPage /> };
    case 'alerts':
      return { section: 'monitoring', page: second && !third ? <AlertPage key={second} id={second} /> : <NotFound /> };
    case 'pipelines':
      if (third) return { section: 'pipelines', page: <NotFound /> };
      return { section: 'pipelines', page: second ? <PipelinePage key={second} name={second} /> : <PipelinesPage /> };
    case 'pipeline-runs':
      return { section: 'pipelines', page: second && !third ? <PipelineRunPage key={second} runId={second} /> : <NotFound /> };
    case 'lineage':
      return { section: 'pipelines', page: second ? <NotFound /> : <LineagePage /> };
    case 'data':
      if (!second) return { section: 'data', page: <DatasetsPage /> };
      if (!third) return { section: 'data', page: <DatasetPage key={second} name={second} /> };
      if (third === 'diff' && !fourth) return { section: 'data', page: <DatasetDiffPage key={second} name={second} /> };
      if (third === 'versions' && fourth && /^\d+$/.test(fourth) && route.segments.length === 4) return { section: 'data', page: <DatasetVersionPage key={`${second}/${fourth}`} name={second} version={Number(fourth)} /> };
      return { section: 'data', page: <NotFound /> };
    default:
      return { section: '', page: <NotFound /> };
  }
}

function NotFound() {
  return (
    <div className="page">
      <Empty title="No such page" height={240}>
        <a href={link('/experiments')}>Go to the experiments</a>
      </Empty>
    </div>
  );
}

/** The shell: top bar with navigation and theme toggle, then the page for the current URL. */
export function App() {
  const route = useRoute();
  const theme = useTheme();
  useEffect(() => {
    if (route.segments.length === 0) navigate(link('/experiments'), { replace: true });
  }, [route]);
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [route.path]);
  const { section, page } = view(route);
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="topbar">
        <a className="brand" href={link('/experiments')}>
          <span className="brand-mark" aria-hidden="true" />
          Capstan
        </a>
        <nav className="nav" aria-label="Main">
          <a href={link('/experiments')} aria-current={section === 'experiments' ? 'page' : undefined}>Experiments</a>
          <a href={link('/models')} aria-current={section === 'models' ? 'page' : undefined}>Models</a>
          <a href={link('/deployments')} aria-current={section === 'deployments' ? 'page' : undefined}>Deployments</a>
          <a href={link('/monitoring')} aria-current={section === 'monitoring' ? 'page' : undefined}>Monitoring</a>
          <a href={link('/pipelines')} aria-current={section === 'pipelines' ? 'page' : undefined}>Pipelines</a>
          <a href={link('/data')} aria-current={section === 'data' ? 'page' : undefined}>Data</a>
        </nav>
        <UserButton />
        <button type="button" className="button theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <main id="main" tabIndex={-1}><Suspense fallback={<div className="page"><Loading label="Loading page…" height={480} /></div>}>{page}</Suspense></main>
    </>
  );
}

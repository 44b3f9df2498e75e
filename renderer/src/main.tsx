import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ignoreStrayDrops } from './file-drop';
import './styles/ferry.css';

ignoreStrayDrops();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

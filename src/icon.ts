import { LabIcon } from '@jupyterlab/ui-components';

import qhybridSvg from '../style/icons/qhybrid.svg';

/**
 * The qhybrid-lab sidebar icon: a Bloch sphere (it follows the theme's icon colour).
 */
export const qhybridIcon = new LabIcon({ name: 'qhybrid-lab:sidebar', svgstr: qhybridSvg });
